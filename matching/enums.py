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
