import datetime

from django.tasks import task

from candidates import services


@task()
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
