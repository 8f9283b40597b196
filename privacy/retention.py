"""Durées de conservation et champs effacés à l'anonymisation : tout est ici, en un seul endroit.

Sources :
- [CNIL-RECRUT] CNIL, référentiel relatif aux traitements de données à caractère personnel mis en œuvre aux
  fins de gestion des activités de recrutement, 2023 : données d'un·e candidat·e conservées au plus 2 ans
  après le dernier contact, sauf accord pour une durée plus longue.
- [CNIL-DUREES] CNIL, guide « Les durées de conservation des données », 2020 : une donnée n'est gardée
  que le temps nécessaire à la finalité, puis supprimée ou anonymisée ; prévenir la personne avant.
- [RGPD-5-1-e] Règlement (UE) 2016/679, article 5.1.e (limitation de la conservation) et article 89
  (statistiques sur données anonymisées).
"""

import datetime

DAY = datetime.timedelta(days=1)

# Compte candidat·e ou employeur sans activité (dernière connexion) : anonymisé au bout de 2 ans.
# [CNIL-RECRUT]
INACTIVE_ACCOUNT = 730 * DAY
# Prévenir par e-mail 30 jours avant l'anonymisation. [CNIL-DUREES]
INACTIVITY_WARNING_AHEAD = 30 * DAY
# Inscription jamais terminée (profil incomplet, compte jamais connecté) : supprimée après 30 jours.
# [CNIL-DUREES] : la finalité (créer un profil) n'est pas atteinte.
UNFINISHED_SIGNUP = 30 * DAY
# Liens de connexion (valables 15 minutes) : supprimés 1 jour après leur expiration. [CNIL-DUREES]
MAGIC_LINK_AFTER_EXPIRY = 1 * DAY
# Jeune qui a trouvé un contrat : anonymisé 2 ans après. [CNIL-RECRUT]
FOUND_CONTRACT = 730 * DAY

# Ce que l'anonymisation efface ; ce qui reste sert aux statistiques (article 89 RGPD).
# Compte : nom, prénom, téléphone ; l'e-mail est remplacé par une adresse tirée au hasard (non réversible).
USER_BLANKED_FIELDS = ("first_name", "last_name", "phone")
# Profil candidat·e : texte libre, CFA, exception d'âge (peut révéler un handicap : RQTH).
# Gardés pour les statistiques : année de naissance (date ramenée au 1er janvier), commune, métiers,
# niveau, types de contrat, situation, dates, états des mises en relation.
CANDIDATE_BLANKED_FIELDS = ("presentation", "training_centre", "age_exception")
CANDIDATE_BIRTH_DATE_KEEP = "year"
# Autres données liées au compte, supprimées à l'anonymisation : (modèle, champ vers le compte).
# Identité FranceConnect (prénoms, nom de naissance, date de naissance) et demandes de liaison ; profil
# conseiller·e (secret du second facteur, codes de secours, territoires). Le journal d'audit du back-office
# garde son lien vers le compte anonymisé (traçabilité, sans donnée personnelle).
USER_LINKED_ROWS_DELETED = (
    ("franceconnect.FranceConnectIdentity", "user"),
    ("franceconnect.LinkRequest", "user"),
    ("backoffice.AdvisorProfile", "user"),
)
# Demandes de liaison FranceConnect expirées : purgées comme les liens de connexion.
EXPIRING_LINK_MODELS = ("accounts.MagicLink", "franceconnect.LinkRequest")
# Offres archivées : champs de contact éventuels, effacés (aucun aujourd'hui : le contact passe par
# l'entreprise et ses membres). Les noms absents du modèle sont ignorés.
OFFER_CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")
# Fin du domaine des e-mails de remplacement (RFC 2606 : .invalid ne reçoit jamais de courrier).
ANONYMOUS_EMAIL_DOMAIN = "anonyme.invalid"

# Résumé affiché sur la page « Données personnelles » et repris dans le registre.
DURATIONS_FOR_HUMANS = [
    ("Compte sans connexion pendant 2 ans", "anonymisé (prévenu par e-mail 30 jours avant)"),
    ("Inscription jamais terminée", "supprimée après 30 jours"),
    ("Jeune qui a trouvé un contrat", "anonymisé 2 ans après"),
    ("Liens de connexion", "supprimés 1 jour après leur expiration (ils marchent 15 minutes)"),
    ("Compte supprimé par vous", "effacé tout de suite ; il ne reste que des chiffres anonymes"),
]

# Revue champ par champ des modèles qui concernent une personne : chaque champ est effacé ou gardé à
# l'anonymisation (ou la ligne entière est supprimée). Un champ ajouté à l'un de ces modèles fait échouer
# tests/privacy/test_retention.py tant qu'il n'a pas été revu ici.
ROW_DELETED = "ligne supprimée"
FIELD_REVIEW = {
    "accounts.User": {
        "erased": {
            *USER_BLANKED_FIELDS,
            "email",
            "password",
            "groups",
            "user_permissions",
            "is_staff",
            "is_superuser",
            "is_active",
        },
        "kept": {"date_joined", "last_activity_at", "last_login", "role"},
    },
    "candidates.CandidateProfile": {
        "erased": {*CANDIDATE_BLANKED_FIELDS, "birth_date", "status"},  # année gardée ; « en pause »
        "kept": {
            "available_from",
            "commune",
            "contract_types",
            "created_at",
            "found_contract_at",
            "found_through_service",
            "has_driving_licence",
            "has_training_place",
            "has_vehicle",
            "is_complete",
            "level",
            "notification_frequency",
            "radius_km",
            "trades",
            "updated_at",
            "user",
        },
    },
    "employers.Company": {
        "erased": {"members"},  # le compte quitte l'entreprise ; SIRET, nom, commune : données publiques
        "kept": {"commune", "created_at", "naf_code", "name", "siret", "staff_band"},
    },
    "offers.Offer": {
        "erased": set(),  # aucune coordonnée propre (voir OFFER_CONTACT_FIELDS)
        "kept": {
            "accepts_minors",
            "commune",
            "company",
            "contract_types",
            "created_at",
            "description",
            "driving_licence_required",
            "expires_at",
            "filled_positions",
            "levels",
            "night_or_early_work",
            "positions",
            "published_at",
            "start_date",
            "status",
            "trade",
            "updated_at",
            "working_hours",
        },
    },
    "matching.Match": {
        "erased": {"is_active"},  # désactivée, état gardé
        "kept": {
            "candidate",
            "candidate_alerted",
            "candidate_answered_at",
            "connected_at",
            "created_at",
            "declined_by",
            "distance_km",
            "employer_alerted",
            "employer_answered_at",
            "no_interest_reason",
            "offer",
            "outcome_at",
            "proposed_by",
            "reminded_at",
            "score",
            "state",
            "updated_at",
        },
    },
    "matching.CandidateTradeIndex": ROW_DELETED,
    "franceconnect.FranceConnectIdentity": ROW_DELETED,
    "franceconnect.LinkRequest": ROW_DELETED,
    "backoffice.AdvisorProfile": ROW_DELETED,
    "accounts.MagicLink": ROW_DELETED,
    "notifications.OutboxEmail": ROW_DELETED,  # les e-mails adressés à la personne
    "notifications.UndeliverableAddress": ROW_DELETED,  # son adresse, si son serveur l'a refusée
}
