from django.tasks import task

from core.scheduler import PERSON_WAITING_PRIORITY
from employers import companies_api, services
from geo.models import Commune


@task(priority=PERSON_WAITING_PRIORITY)
def employer_signup(
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    siret: str,
    company_name: str,
    commune_code: str,
    naf_code: str = "",
    staff_band: str = "",
    directory: dict | None = None,
    proconnect: bool = False,
) -> None:
    """Lancée par l'inscription pour toute adresse : la recherche d'un compte existant se fait ici."""
    services.employer_signup(
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        siret=siret,
        company_name=company_name,
        commune=Commune.objects.get(code=commune_code),
        naf_code=naf_code,
        staff_band=staff_band,
        directory=companies_api.DirectoryCheck.from_data(directory) if directory else None,
        proconnect=proconnect,
    )
