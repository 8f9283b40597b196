from django.tasks import task

from accounts import services
from core.scheduler import PERSON_WAITING_PRIORITY


@task(priority=PERSON_WAITING_PRIORITY)
def login_link_send(email: str, next_url: str = "") -> None:
    """Lancée par /connexion pour toute adresse : la recherche du compte se fait ici, hors de la réponse."""
    services.magic_link_request(email=email, next_url=next_url)
