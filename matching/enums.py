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
