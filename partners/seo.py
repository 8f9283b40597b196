"""Ce que lisent les moteurs de recherche : adresses canoniques, données structurées schema.org JobPosting,
chemins privés de robots.txt."""

import datetime
import json

from django.conf import settings
from django.utils import timezone

from core.enums import ContractType, DiplomaLevel
from offers.models import Offer
from partners.selectors import salary_floor

# Les espaces personnels, les formulaires et l'API : rien à indexer.
SERVICE_NAME = "C'est ma chance"
PRIVATE_PATHS = (
    "/candidat/",
    "/employeur/",
    "/conseiller/",
    "/connexion",
    "/mon-espace",
    "/mes-donnees",
    "/franceconnect/",
    "/proconnect/",
    "/api/",
    "/admin/",
    "/widget/",
)
# Champs exigés par les moteurs pour une offre d'emploi (Google Search Central, « JobPosting ») : le test des
# données structurées les vérifie.
REQUIRED_FIELDS = ("title", "description", "datePosted", "hiringOrganization", "jobLocation")
# Le niveau de diplôme préparé, en catégories de schema.org (EducationalOccupationalCredential).
CREDENTIAL_CATEGORIES = {
    "3": "high school",
    "4": "high school",
    "5": "associate degree",
    "6": "bachelor degree",
    "7": "postgraduate degree",
}
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def json_for_script(data: dict) -> str:
    """JSON à placer dans un `<script type="application/ld+json">` : `<`, `>` et `&` échappés (un texte
    d'offre ne peut pas fermer la balise)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_SCRIPT_ESCAPES)


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def public_description(offer: Offer) -> str:
    """La description publique, écrite depuis les champs de l'offre : le texte libre de l'employeur n'est pas
    publié (il peut citer un nom, un téléphone : voir tests/api/test_offers.py)."""
    levels = [DiplomaLevel(level).short_label for level in offer.levels if level in DiplomaLevel]
    start = f"à partir du {offer.start_date:%d/%m/%Y}" if offer.start_date else "dès que possible"
    contracts = " ou ".join(ContractType(kind).label.lower() for kind in offer.contract_types if kind in ContractType)
    positions = offer.open_positions
    return (
        f"{offer.company.name} cherche {positions} apprenti·e{'s' if positions > 1 else ''} en "
        f"{offer.trade.label} à {offer.commune.name}, {start}. {(contracts or 'contrat en alternance').capitalize()}. "
        f"Diplôme préparé : {', '.join(levels) if levels else 'tous les niveaux'}."
    )


def job_posting(offer: Offer, *, today: datetime.date | None = None) -> dict:
    """Les données structurées schema.org JobPosting d'une offre publique : intitulé, métier (code ROME),
    employeur, lieu, début, type de contrat, salaire minimum légal (grille de l'apprentissage)."""
    trade, commune, company = offer.trade, offer.commune, offer.company
    # Les codes des types de contrat sont les mots eux-mêmes : « en apprentissage ou professionnalisation ».
    title = f"{trade.label} en {' ou '.join(offer.contract_types) or 'alternance'}"
    description = public_description(offer)
    postal_code = commune.postal_codes.order_by("code").values_list("code", flat=True).first() or commune.code
    posting = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": title,
        "description": description,
        "identifier": {"@type": "PropertyValue", "name": SERVICE_NAME, "value": str(offer.pk)},
        "datePosted": _iso(offer.published_at or offer.created_at),
        "hiringOrganization": {"@type": "Organization", "name": company.name, "identifier": company.siret},
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": commune.name,
                "postalCode": postal_code,
                "addressRegion": commune.departement_id,
                "addressCountry": "FR",
            },
        },
        "employmentType": "FULL_TIME",
        "occupationalCategory": ", ".join(trade.rome_codes),
        "totalJobOpenings": offer.open_positions,
        "url": absolute(f"/offres/{offer.pk}"),
        "directApply": False,
    }
    if commune.lat is not None and commune.lng is not None:
        posting["jobLocation"]["geo"] = {"@type": "GeoCoordinates", "latitude": commune.lat, "longitude": commune.lng}
    if offer.expires_at:
        posting["validThrough"] = _iso(offer.expires_at)
    if offer.start_date:
        posting["jobStartDate"] = offer.start_date.isoformat()
    levels = [level for level in offer.levels if level in DiplomaLevel]
    if levels:
        posting["educationRequirements"] = [
            {
                "@type": "EducationalOccupationalCredential",
                "credentialCategory": CREDENTIAL_CATEGORIES[level],
                "name": DiplomaLevel(level).label,
            }
            for level in levels
        ]
    floor = salary_floor(offer, today)
    if floor is not None:
        posting["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": "EUR",
            "value": {"@type": "QuantitativeValue", "minValue": float(floor), "unitText": "MONTH"},
        }
    return posting
