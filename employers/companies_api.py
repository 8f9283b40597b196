"""Adaptateur de l'API Recherche d'entreprises (recherche-entreprises.api.gouv.fr).

Sert seulement à pré-remplir l'inscription : si l'API ne répond pas (délai court), on renvoie None et
l'employeur remplit le formulaire à la main.
"""

import logging
from dataclasses import asdict, dataclass

import httpx
from django.conf import settings

from employers.enums import StaffBand

logger = logging.getLogger(__name__)

# Codes INSEE de tranche d'effectif salarié -> tranche du service.
STAFF_BAND_BY_INSEE_CODE = {
    "NN": StaffBand.FROM_0_TO_10,
    "00": StaffBand.FROM_0_TO_10,
    "01": StaffBand.FROM_0_TO_10,
    "02": StaffBand.FROM_0_TO_10,
    "03": StaffBand.FROM_0_TO_10,
    "11": StaffBand.FROM_11_TO_49,
    "12": StaffBand.FROM_11_TO_49,
    "21": StaffBand.FROM_50_TO_249,
    "22": StaffBand.FROM_50_TO_249,
    "31": StaffBand.FROM_50_TO_249,
}


@dataclass(frozen=True)
class CompanyInfo:
    siret: str
    name: str
    commune_code: str
    naf_code: str
    staff_band: str

    def as_dict(self) -> dict:
        return asdict(self)


def default_transport() -> httpx.BaseTransport | None:
    """Transport HTTP (les tests le remplacent par un `httpx.MockTransport`)."""
    return None


def _staff_band(code: str | None) -> str:
    if not code:
        return ""
    return STAFF_BAND_BY_INSEE_CODE.get(code, StaffBand.FROM_250).value


def parse_search_response(data: dict, siret: str) -> CompanyInfo | None:
    """L'établissement `siret` dans une réponse de `/search`, ou None."""
    for result in data.get("results") or []:
        establishments = [result.get("siege") or {}, *(result.get("matching_etablissements") or [])]
        for establishment in establishments:
            if establishment.get("siret") == siret:
                return CompanyInfo(
                    siret=siret,
                    name=(result.get("nom_complet") or result.get("nom_raison_sociale") or "").strip()[:200],
                    commune_code=establishment.get("commune") or "",
                    naf_code=establishment.get("activite_principale") or result.get("activite_principale") or "",
                    staff_band=_staff_band(
                        establishment.get("tranche_effectif_salarie") or result.get("tranche_effectif_salarie")
                    ),
                )
    return None


def company_lookup(siret: str, *, transport: httpx.BaseTransport | None = None) -> CompanyInfo | None:
    """Cherche l'établissement dans l'annuaire ; None s'il est inconnu ou si l'API ne répond pas."""
    try:
        with httpx.Client(
            base_url=settings.COMPANIES_API_URL,
            timeout=settings.COMPANIES_API_TIMEOUT,
            transport=transport or default_transport(),
            headers={"Accept": "application/json"},
        ) as client:
            response = client.get("/search", params={"q": siret})
            response.raise_for_status()
            data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        logger.info("API Recherche d'entreprises indisponible : %s", type(exc).__name__)
        return None
    return parse_search_response(data, siret)
