"""Où mène « Mon espace » pour chaque rôle."""

from django.urls import NoReverseMatch, reverse

from accounts.enums import Role

ROLE_HOME_URL_NAMES = {
    Role.CANDIDATE: "matching:candidate_home",
    Role.EMPLOYER: "matching:employer_home",
    Role.ADVISOR: "backoffice:home",
    Role.ADMIN: "backoffice:home",
}


def home_url(user) -> str:
    try:
        return reverse(ROLE_HOME_URL_NAMES[user.role])
    except (KeyError, NoReverseMatch):
        return reverse("core:home")
