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
    # Le parcours : profils, paires, contacts, contrats (voir stats/funnel.py).
    CANDIDATES_MATCHED = "candidats_avec_paire", "Candidat·es avec au moins une mise en relation"
    PAIR_RATE = "taux_paire", "Part des candidat·es avec une mise en relation"
    CONTACT_RATE = "taux_contact", "Part des mises en relation devenues contacts"
    CONTRACT_RATE = "taux_contrat", "Part des contacts devenus contrats"
    FIRST_PAIR_DELAY = "delai_premiere_paire", "Délai médian avant la première mise en relation"
    CONTACT_DELAY = "delai_contact", "Délai médian de la mise en relation au contact"
    CONTRACT_DELAY = "delai_contrat", "Délai médian du contact au contrat"
    POPULATION = "population", "Population (recensement)"


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
    Indicator.CANDIDATES_MATCHED: "Profils de jeunes qui ont reçu au moins une mise en relation, comptés le mois de "
    "leur création, dans la commune et les familles de métiers de leur profil.",
    Indicator.PAIR_RATE: "Candidat·es avec au moins une mise en relation divisé·es par candidat·es inscrit·es, en "
    "pourcentage (même mois d'inscription, même lieu).",
    Indicator.CONTACT_RATE: "Contacts établis divisés par mises en relation proposées, en pourcentage (même mois de "
    "mise en relation, même lieu).",
    Indicator.CONTRACT_RATE: "Contrats signés divisés par contacts établis, en pourcentage (même mois de mise en "
    "relation, même lieu).",
    Indicator.FIRST_PAIR_DELAY: "Nombre médian de jours entre la création d'un profil et sa première mise en "
    "relation, parmi les profils qui en ont eu une (mois de création du profil).",
    Indicator.CONTACT_DELAY: "Nombre médian de jours entre la mise en relation et le contact établi, parmi les "
    "mises en relation devenues contacts (mois de la mise en relation).",
    Indicator.POPULATION: "Population municipale du département au recensement (somme de ses communes, données "
    "géographiques importées) : la base des chiffres « pour 10 000 habitants » de la carte. Ce n'est pas la "
    "population des seuls jeunes, que ces données ne donnent pas.",
    Indicator.CONTRACT_DELAY: "Nombre médian de jours entre le contact établi et le contrat signé, parmi les "
    "contrats signés (mois de la mise en relation).",
}

# Indicateurs stockés en histogramme (nombre de choses par nombre de jours) : on en publie la médiane.
HISTOGRAM_INDICATORS = [
    Indicator.FIRST_CONTACT_DELAY,
    Indicator.FIRST_PAIR_DELAY,
    Indicator.CONTACT_DELAY,
    Indicator.CONTRACT_DELAY,
]
# Taux du parcours : (numérateur, dénominateur), deux comptes.
RATES = {
    Indicator.PAIR_RATE: (Indicator.CANDIDATES_MATCHED, Indicator.CANDIDATES),
    Indicator.CONTACT_RATE: (Indicator.CONTACTS, Indicator.MATCHES),
    Indicator.CONTRACT_RATE: (Indicator.CONTRACTS, Indicator.CONTACTS),
}
# Indicateurs qui sont des comptes additifs (les autres sont calculés à partir d'eux).
COUNT_INDICATORS = [
    indicator
    for indicator in Indicator
    if indicator not in (Indicator.FILLED_SHARE, Indicator.POPULATION, *HISTOGRAM_INDICATORS, *RATES)
]
# Les indicateurs de la synthèse de /stats (le parcours a sa propre section : stats/funnel.py).
SUMMARY_INDICATORS = [
    indicator for indicator in Indicator if indicator not in (Indicator.POPULATION, *RATES, *HISTOGRAM_INDICATORS[1:])
]
# Unité de chaque indicateur dans les données ouvertes.
UNITS = {
    Indicator.FILLED_SHARE: "pourcentage",
    **dict.fromkeys(RATES, "pourcentage"),
    **dict.fromkeys(HISTOGRAM_INDICATORS, "jours"),
}
# La carte rapporte les comptes à la population (les données ouvertes donnent les comptes et la population).
PER_POPULATION = 10_000
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
