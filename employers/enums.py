from django.db import models


class StaffBand(models.TextChoices):
    """Tranche d'effectif de l'entreprise (utile au calcul de l'aide à l'embauche)."""

    FROM_0_TO_10 = "0-10", "De 0 à 10 salariés"
    FROM_11_TO_49 = "11-49", "De 11 à 49 salariés"
    FROM_50_TO_249 = "50-249", "De 50 à 249 salariés"
    FROM_250 = "250+", "250 salariés ou plus"

    @property
    def under_250(self):
        return self != StaffBand.FROM_250


class MembershipStatus(models.TextChoices):
    """Le rattachement d'un compte à un établissement : accordé, jamais pris."""

    PENDING = "en_attente", "En attente"
    APPROVED = "approuve", "Approuvé"
    REFUSED = "refuse", "Refusé"
    REMOVED = "retire", "Retiré"


class MembershipSource(models.TextChoices):
    """Par où le compte est arrivé (pour le journal et les statistiques)."""

    SIGNUP = "inscription", "Inscription employeur"
    COMPANY_ADD = "ajout", "Ajout d'un établissement"
    PROCONNECT = "proconnect", "Connexion ProConnect"
    DEMO = "demo", "Données de démonstration"
    ADMIN = "admin", "Administration technique"


class VerificationStatus(models.TextChoices):
    """L'entreprise existe-t-elle vraiment ? Ses offres ne sont mises en relation qu'une fois vérifiée."""

    TO_VERIFY = "a_verifier", "À vérifier"
    VERIFIED = "verifiee", "Vérifiée"
    REJECTED = "refusee", "Refusée"


class VerificationSource(models.TextChoices):
    """Qui ou quoi a vérifié l'entreprise."""

    DIRECTORY = "annuaire", "Répertoire des métiers (API Recherche d'entreprises)"
    PROCONNECT = "proconnect", "Connexion ProConnect"
    ADVISOR = "conseiller", "Conseiller·e CMA"
    DEMO = "demo", "Données de démonstration"


class VerificationReason(models.TextChoices):
    """Pourquoi une entreprise attend un·e conseiller·e."""

    NOT_CRAFT = "hors_repertoire", "Absente du répertoire des métiers"
    RECENT = "recente", "Créée il y a moins de 3 mois"
    DIRECTORY_UNAVAILABLE = "annuaire_indisponible", "Annuaire des entreprises indisponible à l'inscription"
    REPORTED = "signalee", "Signalée par des candidat·es"


class CompanyEvent(models.TextChoices):
    """Les événements d'une entreprise inscrits au journal d'audit."""

    MEMBERSHIP_REQUESTED = "rattachement_demande", "Rattachement demandé"
    MEMBERSHIP_APPROVED = "rattachement_approuve", "Rattachement approuvé"
    MEMBERSHIP_REFUSED = "rattachement_refuse", "Rattachement refusé"
    MEMBER_REMOVED = "membre_retire", "Membre retiré"
    COMPANY_VERIFIED = "entreprise_verifiee", "Entreprise vérifiée"
    COMPANY_REJECTED = "entreprise_refusee", "Entreprise refusée"


# Clé de session du SIRET transmis par ProConnect, proposé à l'inscription ou à l'ajout d'un établissement
# (jamais dans l'URL : le SIRET d'un·e entrepreneur·e individuel·le est une donnée personnelle).
SIGNUP_SIRET_SESSION_KEY = "employers_signup_siret"
