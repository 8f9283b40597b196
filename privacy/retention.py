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
# E-mails envoyés (outbox) : objet et texte effacés 30 jours après l'envoi (ou l'abandon) ; restent
# l'adresse, la clé de l'événement et les dates (preuve d'envoi, pas de double envoi). Un e-mail qui porte
# des données d'une personne (destinataire, ou coordonnées transmises à l'autre partie) est effacé dès la
# suppression de son compte. [CNIL-DUREES]
SENT_EMAIL_CONTENT = 30 * DAY
# Tâches de fond terminées (file en base) : supprimées 1 jour après leur fin ; leurs arguments portent
# parfois une adresse e-mail ou l'identité d'une inscription. [CNIL-DUREES]
TASK_RESULTS_AFTER_FINISH = 1 * DAY

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
    ("employers.Membership", "user"),  # rattachements aux entreprises (après `_leave_companies`)
    ("offers.Report", "reporter"),  # signalements faits par la personne (motif, précisions)
    ("notifications.EmailPreference", "user"),
    ("notifications.SmsSubscription", "user"),
    ("notifications.PhoneVerification", "user"),
    ("notifications.OutboxSms", "recipient"),
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
    ("Texte des e-mails envoyés", "effacé 30 jours après l'envoi"),
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
            "status_asked_at",
            "status_confirmed_at",
            "found_through_service",
            "has_driving_licence",
            "has_training_place",
            "has_vehicle",
            "is_complete",
            "job_seeker",  # situation, comme le CFA trouvé : gardée anonyme pour les statistiques
            "level",
            "notification_frequency",
            "radius_km",
            "trades",
            "updated_at",
            "user",
        },
    },
    "employers.Company": {
        # Le compte quitte l'entreprise (ses rattachements sont supprimés) ; le reste vient de l'annuaire public.
        "erased": set(),
        "kept": {
            "commune",
            "craft_activity_code",
            "created_at",
            "directory_checked_at",
            "established_on",
            "idcc_codes",
            "latitude",
            "longitude",
            "naf_code",
            "name",
            "siret",
            "staff_band",
            "verification_reasons",
            "verification_source",
            "verification_status",
            "verified_at",
        },
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
            "lba_consent",
            "levels",
            "matching_suspended",
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
            "progress_at",
            "nudged_at",
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
    "employers.Membership": ROW_DELETED,
    "offers.Report": ROW_DELETED,
    "accounts.MagicLink": ROW_DELETED,
    # Les e-mails adressés à la personne ; ceux qui la citent (OutboxEmail.concerns) perdent objet et texte.
    "notifications.OutboxEmail": ROW_DELETED,
    "notifications.UndeliverableAddress": ROW_DELETED,  # son adresse, si son serveur l'a refusée
    "notifications.EmailPreference": ROW_DELETED,  # ses choix d'e-mails
    "notifications.SmsSubscription": ROW_DELETED,  # son mobile et ses choix de SMS
    "notifications.PhoneVerification": ROW_DELETED,  # codes envoyés à son mobile
    "notifications.OutboxSms": ROW_DELETED,  # SMS envoyés à son mobile (leur coût part avec eux)
    # Étapes cochées d'une paire : gardées avec la paire ; `done_by` désigne un compte alors anonymisé.
    "matching.MatchStep": {"erased": set(), "kept": {"match", "step", "done_at", "done_by"}},
}
