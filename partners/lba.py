"""Le client de l'API de La bonne alternance (api.apprentissage.beta.gouv.fr, « job/v1/offer ») et la
correspondance des champs d'une offre (décrite dans docs/api/la-bonne-alternance.md).

- `POST /job/v1/offer` (corps `JobOfferWrite`) : crée l'offre, répond `{"id": "..."}` ;
- `PUT /job/v1/offer/{id}` (même corps) : la remplace, répond 204 ;
- clé d'API du partenaire en `Authorization: Bearer <clé>` (droit `jobs:write`).

Aucune donnée personnelle : ni le texte libre de l'employeur, ni ses coordonnées ; les candidat·es répondent
sur la page publique de l'offre (`apply.url`).
"""

import datetime

import httpx
from django.conf import settings
from django.utils import timezone

from offers.models import Offer
from partners.seo import absolute, public_description

CONTRACT_TYPES = {"apprentissage": "Apprentissage", "professionnalisation": "Professionnalisation"}
# Niveaux de la nomenclature de 2019 = niveaux européens (CEC) de La bonne alternance : « 3 » à « 7ʺ.
EUROPEAN_LEVELS = ("3", "4", "5", "6", "7")
ORIGIN = "C'est ma chance"


class LbaError(Exception):
    """Un envoi refusé ou impossible. `permanent` : inutile de réessayer (requête refusée, 4xx)."""

    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


def is_enabled() -> bool:
    return bool(settings.LBA_API_URL and settings.LBA_API_KEY)


def job_offer(offer: Offer, *, is_open: bool, today: datetime.date | None = None) -> dict:
    """Le corps `JobOfferWrite` de l'offre. Fermée (`is_open=False`) : expiration au jour même, aucun poste."""
    today = today or timezone.localdate()
    company, commune = offer.company, offer.commune
    levels = sorted(level for level in offer.levels if level in EUROPEAN_LEVELS)
    expiration = timezone.localdate(offer.expires_at) if offer.expires_at and is_open else today
    return {
        "identifier": {"partner_job_id": str(offer.pk)},
        "workplace": {
            "siret": company.siret,
            "name": company.name,
            "location": {"address": f"{commune.name} ({commune.departement_id})"},
        },
        "apply": {"url": absolute(f"/offres/{offer.pk}")},
        "contract": {
            "start": offer.start_date.isoformat() if offer.start_date else None,
            "type": [CONTRACT_TYPES[kind] for kind in offer.contract_types if kind in CONTRACT_TYPES],
            "remote": "onsite",
        },
        "offer": {
            "title": f"{offer.trade.label} en alternance",
            "description": public_description(offer),
            "rome_codes": list(offer.trade.rome_codes),
            "opening_count": offer.open_positions if is_open else 0,
            # Plusieurs niveaux acceptés : le plus bas (La bonne alternance n'en prend qu'un) ; aucun : tous.
            "target_diploma": {"european": levels[0]} if levels else None,
            "publication": {
                "creation": timezone.localdate(offer.published_at).isoformat() if offer.published_at else None,
                "expiration": expiration.isoformat(),
            },
            "multicast": True,
            "origin": ORIGIN,
        },
    }


def _client(transport=None) -> httpx.Client:
    return httpx.Client(
        base_url=settings.LBA_API_URL,
        timeout=settings.LBA_API_TIMEOUT,
        headers={"Authorization": f"Bearer {settings.LBA_API_KEY}"},
        transport=transport,
    )


def _check(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    # Jamais le corps de la réponse dans l'erreur : il peut reprendre ce qui a été envoyé.
    permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 425, 429)
    raise LbaError(f"HTTP {response.status_code}", permanent=permanent)


def send(body: dict, *, lba_id: str = "", transport=None) -> str:
    """Crée (sans `lba_id`) ou remplace l'offre chez La bonne alternance ; renvoie son identifiant là-bas."""
    try:
        with _client(transport) as client:
            if lba_id:
                response = client.put(f"/job/v1/offer/{lba_id}", json=body)
                _check(response)
                return lba_id
            response = client.post("/job/v1/offer", json=body)
            _check(response)
            created = response.json().get("id")
    except httpx.HTTPError as error:
        raise LbaError(type(error).__name__, permanent=False) from error
    except ValueError as error:
        raise LbaError("réponse illisible", permanent=False) from error
    if not created:
        raise LbaError("réponse sans identifiant", permanent=False)
    return str(created)
