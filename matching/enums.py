from django.db import models


class MatchState(models.TextChoices):
    PROPOSED = "proposee", "Proposée"
    CANDIDATE_INTERESTED = "interet_candidat", "Intéressé·e (candidat·e)"
    EMPLOYER_INTERESTED = "interet_employeur", "Intéressé (employeur)"
    CONNECTED = "en_relation", "En relation"
    INTERVIEW = "entretien", "Entretien"
    CONTRACT_SIGNED = "contrat_signe", "Contrat signé"
    NO_FOLLOW_UP = "pas_de_suite", "Pas de suite"
    EXPIRED = "expiree", "Expirée"


class NoInterestReason(models.TextChoices):
    """Pourquoi un employeur n'est pas intéressé (liste courte, au choix)."""

    PROFILE_MISMATCH = "profil", "Le profil ne correspond pas au poste"
    POSITION_FILLED = "pourvu", "Le poste est déjà pourvu"
    TOO_FAR = "trop_loin", "Trop loin"
    OTHER = "autre", "Autre"


class Side(models.TextChoices):
    CANDIDATE = "candidat", "Candidat·e"
    EMPLOYER = "employeur", "Employeur"


# États où la paire est « en relation » : chacun a les coordonnées de l'autre.
CONNECTED_STATES = (MatchState.CONNECTED, MatchState.INTERVIEW, MatchState.CONTRACT_SIGNED)
# États où l'on attend encore une réponse.
OPEN_STATES = (MatchState.PROPOSED, MatchState.CANDIDATE_INTERESTED, MatchState.EMPLOYER_INTERESTED)


class KitStep(models.TextChoices):
    """Les étapes de « Et maintenant ? », d'une paire en relation jusqu'au contrat signé."""

    CFA = "cfa", "Trouver ou confirmer le CFA"
    CONTRACT_FORM = "contrat_en_ligne", "Remplir le contrat d'apprentissage en ligne"
    GUARDIAN = "representant_legal", "Faire signer le contrat par le ou la représentant·e légal·e"
    MEDICAL = "visite_medicale", "Passer la visite d'information et de prévention avant le début"
    HOURS = "horaires", "Fixer des horaires qui respectent les règles des mineur·es"
    HIRING_AID = "aide_embauche", "Demander l'aide à l'embauche"


# Qui coche chaque étape.
KIT_STEP_SIDE = {
    KitStep.CFA: Side.CANDIDATE,
    KitStep.GUARDIAN: Side.CANDIDATE,
    KitStep.CONTRACT_FORM: Side.EMPLOYER,
    KitStep.MEDICAL: Side.EMPLOYER,
    KitStep.HOURS: Side.EMPLOYER,
    KitStep.HIRING_AID: Side.EMPLOYER,
}

# Les suites qu'un employeur donne à une paire en relation, avec le libellé de leur bouton.
OUTCOME_CHOICES = [
    (MatchState.INTERVIEW, "Entretien prévu"),
    (MatchState.CONTRACT_SIGNED, "Contrat signé"),
    (MatchState.NO_FOLLOW_UP, "Pas de suite"),
]
