"""Adaptateur de l'API Recherche d'entreprises (recherche-entreprises.api.gouv.fr).

`establishment_check` dit si l'établissement existe et est ouvert (`etat_administratif` « A »), et ce que
l'annuaire en sait : activité au répertoire des métiers (artisan), NAF, conventions collectives (IDCC),
coordonnées, date de création. Si l'API ne répond pas (délai court) ou répond n'importe quoi, le résultat
est « indisponible » : l'inscription continue, et l'entreprise sera vérifiée par un·e conseiller·e.
"""

import datetime
import enum
import json
import logging
import math
from dataclasses import asdict, dataclass, field

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

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
OPEN = "A"  # `etat_administratif` d'un établissement ouvert ; « F » : fermé


@dataclass(frozen=True)
class CompanyInfo:
    siret: str
    name: str
    commune_code: str
    naf_code: str
    staff_band: str
    is_open: bool = True
    craft_activity_code: str = ""
    idcc_codes: tuple[str, ...] = field(default_factory=tuple)
    latitude: float | None = None
    longitude: float | None = None
    established_on: datetime.date | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class CheckStatus(enum.StrEnum):
    FOUND = "trouve"  # existe et ouvert
    CLOSED = "ferme"
    UNKNOWN = "inconnu"
    UNAVAILABLE = "indisponible"  # pas de réponse, erreur, ou réponse illisible


CHECK_ERRORS = {
    CheckStatus.UNKNOWN: (
        "Ce SIRET n'existe pas dans l'annuaire des entreprises. Vérifiez les 14 chiffres "
        "(sur un bulletin de paie ou sur annuaire-entreprises.data.gouv.fr)."
    ),
    CheckStatus.CLOSED: (
        "Cet établissement est fermé d'après l'annuaire des entreprises : il ne peut pas recruter. "
        "Donnez le SIRET de l'établissement ouvert où travaillera l'apprenti·e."
    ),
}


@dataclass(frozen=True)
class DirectoryCheck:
    status: CheckStatus
    info: CompanyInfo | None = None
    checked_at: datetime.datetime | None = None

    @property
    def refused(self) -> bool:
        return self.status in CHECK_ERRORS

    @property
    def error(self) -> str:
        return CHECK_ERRORS.get(self.status, "")

    def to_data(self) -> dict:
        """Le résultat en JSON, pour le passer à une tâche de fond."""
        return json.loads(json.dumps(asdict(self), cls=DjangoJSONEncoder))

    @classmethod
    def from_data(cls, data: dict) -> "DirectoryCheck":
        info = data.get("info")
        if info is not None:
            info = CompanyInfo(
                **{
                    **info,
                    "idcc_codes": tuple(info.get("idcc_codes") or ()),
                    "established_on": _date(info.get("established_on")),
                }
            )
        checked_at = data.get("checked_at")
        return cls(
            status=CheckStatus(data["status"]),
            info=info,
            checked_at=datetime.datetime.fromisoformat(checked_at) if checked_at else None,
        )


def default_transport() -> httpx.BaseTransport | None:
    """Transport HTTP (les tests le remplacent par un `httpx.MockTransport`)."""
    return None


def _staff_band(code: str | None) -> str:
    if not code:
        return ""
    return STAFF_BAND_BY_INSEE_CODE.get(code, StaffBand.FROM_250).value


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _float(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and -180 <= number <= 180 else None


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _idcc(value) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(code.strip() for code in value if isinstance(code, str) and code.strip().isdigit())[:10]


def parse_search_response(data, siret: str) -> CompanyInfo | None:
    """L'établissement `siret` dans une réponse de `/search`, ou None. ValueError si la réponse est illisible."""
    if not isinstance(data, dict) or not isinstance(data.get("results", []), list):
        raise ValueError("réponse inattendue")
    for result in data.get("results") or []:
        if not isinstance(result, dict):
            raise ValueError("réponse inattendue")
        matching = result.get("matching_etablissements") or []
        establishments = [result.get("siege") or {}, *(matching if isinstance(matching, list) else [])]
        for establishment in establishments:
            if not isinstance(establishment, dict) or establishment.get("siret") != siret:
                continue
            state = establishment.get("etat_administratif") or result.get("etat_administratif") or OPEN
            return CompanyInfo(
                siret=siret,
                name=(_text(result.get("nom_complet")) or _text(result.get("nom_raison_sociale")))[:200],
                commune_code=_text(establishment.get("commune"))[:5],
                naf_code=_text(establishment.get("activite_principale") or result.get("activite_principale"))[:6],
                staff_band=_staff_band(
                    establishment.get("tranche_effectif_salarie") or result.get("tranche_effectif_salarie")
                ),
                is_open=state == OPEN,
                craft_activity_code=_text(establishment.get("activite_principale_registre_metier"))[:10],
                idcc_codes=_idcc(establishment.get("liste_idcc")),
                latitude=_float(establishment.get("latitude")),
                longitude=_float(establishment.get("longitude")),
                established_on=_date(establishment.get("date_creation")) or _date(result.get("date_creation")),
            )
    return None


def establishment_check(siret: str, *, transport: httpx.BaseTransport | None = None) -> DirectoryCheck:
    """Ce que l'annuaire dit de l'établissement `siret` (voir `CheckStatus`)."""
    try:
        with httpx.Client(
            base_url=settings.COMPANIES_API_URL,
            timeout=settings.COMPANIES_API_TIMEOUT,
            transport=transport or default_transport(),
            headers={"Accept": "application/json"},
        ) as client:
            response = client.get("/search", params={"q": siret})
            response.raise_for_status()
            info = parse_search_response(response.json(), siret)
    except (httpx.HTTPError, ValueError) as exc:
        logger.info("API Recherche d'entreprises indisponible : %s", type(exc).__name__)
        return DirectoryCheck(CheckStatus.UNAVAILABLE)
    now = timezone.now()
    if info is None:
        return DirectoryCheck(CheckStatus.UNKNOWN, checked_at=now)
    return DirectoryCheck(CheckStatus.FOUND if info.is_open else CheckStatus.CLOSED, info, now)


def company_lookup(siret: str, *, transport: httpx.BaseTransport | None = None) -> CompanyInfo | None:
    """L'établissement ouvert de ce SIRET pour pré-remplir le formulaire ; None s'il est inconnu, fermé ou si
    l'API ne répond pas."""
    check = establishment_check(siret, transport=transport)
    return check.info if check.status == CheckStatus.FOUND else None
