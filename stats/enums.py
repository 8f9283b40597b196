from django.db import models


class Indicator(models.TextChoices):
    """Les indicateurs publics. Chacun compte quelque chose de précis (voir `DESCRIPTIONS`)."""

    CANDIDATES = "candidats_inscrits", "Candidat·es inscrit·es"
    EMPLOYERS = "employeurs_inscrits", "Employeurs inscrits"
    OFFERS_PUBLISHED = "offres_publiees", "Offres publiées"
    OFFERS_OPEN = "offres_ouvertes", "Offres ouvertes aujourd'hui"
    OFFERS_FILLED = "offres_pourvues", "Offres pourvues"
    MATCHES = "paires_proposees", "Mises en relation proposées"
    CONTACTS = "contacts", "Contacts établis"
    CONTRACTS = "contrats_signes", "Contrats signés grâce au service"
    FILLED_SHARE = "part_offres_pourvues", "Part des offres pourvues"
    FIRST_CONTACT_DELAY = "delai_premier_contact", "Délai médian avant le premier contact"


DESCRIPTIONS = {
    Indicator.CANDIDATES: "Profils de jeunes créés sur le service, comptés le mois de leur création, "
    "dans la commune et les familles de métiers de leur profil.",
    Indicator.EMPLOYERS: "Entreprises (établissements, par SIRET) inscrites, comptées le mois de leur inscription, "
    "dans leur commune ; par famille de métiers : celles qui ont créé au moins une offre de cette famille.",
    Indicator.OFFERS_PUBLISHED: "Offres publiées au moins une fois, comptées le mois de leur première publication, "
    "dans la commune du lieu de travail.",
    Indicator.OFFERS_OPEN: "Offres publiées et encore ouvertes au moment du calcul (un chiffre du jour, sans série "
    "mensuelle).",
    Indicator.OFFERS_FILLED: "Offres publiées dont au moins un poste est pourvu, comptées le mois de leur publication.",
    Indicator.MATCHES: "Paires candidat·e / offre proposées par le service, comptées le mois où elles sont proposées.",
    Indicator.CONTACTS: "Paires où le ou la jeune et l'employeur se sont dit intéressé·es l'un·e par l'autre (en "
    "relation, entretien ou contrat signé), comptées le mois de la mise en relation.",
    Indicator.CONTRACTS: "Paires arrivées à « contrat signé », comptées le mois de la mise en relation.",
    Indicator.FILLED_SHARE: "Offres pourvues divisées par offres publiées, en pourcentage (même période, même lieu).",
    Indicator.FIRST_CONTACT_DELAY: "Nombre médian de jours entre la publication d'une offre et son premier contact "
    "établi, parmi les offres qui ont eu au moins un contact (mois de publication de l'offre).",
}

# Indicateurs qui sont des comptes additifs (les autres sont calculés à partir d'eux).
COUNT_INDICATORS = [
    indicator for indicator in Indicator if indicator not in (Indicator.FILLED_SHARE, Indicator.FIRST_CONTACT_DELAY)
]
# Unité de chaque indicateur dans les données ouvertes.
UNITS = {Indicator.FILLED_SHARE: "pourcentage", Indicator.FIRST_CONTACT_DELAY: "jours"}
# En dessous de ce nombre, un compte (ou la base d'une part ou d'une médiane) est masqué : secret statistique.
SECRECY_THRESHOLD = 5
# Le symbole d'un chiffre masqué dans les données ouvertes (« s », comme à l'Insee) et sur la page. Le même
# pour le masquage primaire (1 à 4) et secondaire (voir stats/secrecy.py) : on ne les distingue pas.
SECRET = "s"  # noqa: S105 (le symbole du secret statistique, pas un mot de passe)
SECRET_DISPLAY = "secret"  # noqa: S105
# Indicateurs de stock (pas de série mensuelle).
SNAPSHOT_INDICATORS = [Indicator.OFFERS_OPEN]
# Indicateurs où chaque chose comptée n'a qu'une famille de métiers : la somme des familles fait le total.
ADDITIVE_BY_FAMILY = [
    Indicator.OFFERS_PUBLISHED,
    Indicator.OFFERS_OPEN,
    Indicator.OFFERS_FILLED,
    Indicator.MATCHES,
    Indicator.CONTACTS,
    Indicator.CONTRACTS,
]
