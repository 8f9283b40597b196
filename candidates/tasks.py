import datetime

from django.tasks import task

from candidates import services
from core.scheduler import PERSON_WAITING_PRIORITY


@task(priority=PERSON_WAITING_PRIORITY)
def candidate_signup(
    email: str, first_name: str, last_name: str, birth_date: str, age_exception: str = "", search: dict | None = None
) -> None:
    """Lancée par l'inscription pour toute adresse : la recherche d'un compte existant se fait ici."""
    services.candidate_signup(
        email=email,
        first_name=first_name,
        last_name=last_name,
        birth_date=datetime.date.fromisoformat(birth_date),
        age_exception=age_exception,
        search=search,
    )


@task()
def keep_profiles_alive() -> dict:
    """Chaque jour : la relance des inscrit·es qui ne sont pas revenu·es, et « tu cherches toujours ? »."""
    return {"signup_reminders": services.signup_reminders_send(), "status_checks": services.status_checks_send()}
