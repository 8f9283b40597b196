from django.db import models


class AuditAction(models.TextChoices):
    CANDIDATE_VIEWED = "candidat_consulte", "Fiche candidat·e consultée"
    SEARCHED = "recherche", "Recherche (personnes affichées)"
    LIST_EXPORTED = "liste_exportee", "Liste exportée (CSV)"
    CANDIDATE_CREATED = "candidat_cree", "Profil candidat·e créé"
    CANDIDATE_PAUSED = "candidat_pause", "Profil candidat·e mis en pause"
    CANDIDATE_RESUMED = "candidat_reprise", "Profil candidat·e réactivé"
    CANDIDATE_CLOSED = "candidat_clos", "Profil candidat·e clos"
    COMPANY_CREATED = "entreprise_creee", "Entreprise créée"
    OFFER_CREATED = "offre_creee", "Offre créée"
    OFFER_UPDATED = "offre_modifiee", "Offre modifiée"
    OFFER_CLOSED = "offre_close", "Offre close"
    MATCH_PROPOSED = "paire_proposee", "Mise en relation proposée à la main"
    MATCH_OUTCOME = "paire_issue", "Issue d'une mise en relation enregistrée"
    MATCH_WITHDRAWN = "paire_retiree", "Mise en relation proposée à la main retirée"
    IMPORT_DONE = "import_csv", "Import CSV d'entreprises et d'offres"
    CMA_CREATED = "cma_creee", "CMA créée"
    ADVISOR_CREATED = "conseiller_cree", "Conseiller·e créé·e"
    TERRITORIES_SET = "territoires_modifies", "Territoires modifiés"
    SECOND_FACTOR_ENROLLED = "second_facteur_active", "Second facteur activé"
    RECOVERY_CODE_USED = "code_secours_utilise", "Code de secours utilisé"
    SECOND_FACTOR_FAILED = "second_facteur_echec", "Code du second facteur refusé"
    SECOND_FACTOR_LOCKED = "second_facteur_bloque", "Second facteur bloqué après trop d'échecs"
    SECOND_FACTOR_UNLOCKED = "second_facteur_debloque", "Second facteur débloqué"
    # Les événements des entreprises (mêmes codes que `employers.enums.CompanyEvent`).
    MEMBERSHIP_REQUESTED = "rattachement_demande", "Rattachement demandé"
    MEMBERSHIP_APPROVED = "rattachement_approuve", "Rattachement approuvé"
    MEMBERSHIP_REFUSED = "rattachement_refuse", "Rattachement refusé"
    MEMBER_REMOVED = "membre_retire", "Membre retiré"
    COMPANY_VERIFIED = "entreprise_verifiee", "Entreprise vérifiée"
    COMPANY_REJECTED = "entreprise_refusee", "Entreprise refusée"
    REPORTS_DECIDED = "signalements_decides", "Signalements d'une offre décidés"


class ForceReason(models.TextChoices):
    """Pourquoi proposer une paire que les règles écartent (un choix fermé : pas de donnée personnelle)."""

    ACCEPTS_DISTANCE = "trajet_accepte", "Le ou la jeune accepte ce trajet (ou va déménager)"
    CLOSE_TRADE = "metier_proche", "Métier proche, le ou la jeune est intéressé·e"
    DATES_ARRANGED = "dates_arrangees", "Dates ou type de contrat arrangés avec l'employeur"
    AGE_EXCEPTION = "derogation_age", "Dérogation d'âge ou situation particulière vérifiée"
    EMPLOYER_REQUEST = "demande_employeur", "À la demande de l'employeur"
    OTHER = "autre", "Autre raison, vue avec les deux parties"


class ClosureReason(models.TextChoices):
    """Raison d'une pause ou d'une clôture (un choix fermé : pas de texte libre, donc pas de donnée personnelle)."""

    CONTRACT_FOUND = "contrat_trouve", "Contrat trouvé"
    NO_LONGER_AVAILABLE = "plus_disponible", "Plus disponible pour l'instant"
    NOT_REACHABLE = "injoignable", "Injoignable"
    ASKED_BY_PERSON = "demande_personne", "À la demande de la personne"
    POSITION_FILLED = "poste_pourvu", "Poste pourvu"
    OTHER = "autre", "Autre raison"
