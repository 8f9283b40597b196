"""Une voix par public : l'espace candidat·e dit « tu », y compris sur les pages communes (connexion, mes
données, suppression du compte) quand elles s'adressent à un·e jeune."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.candidates.factories import CandidateProfileFactory
from tests.offers.factories import CompanyFactory
from tests.utils import text

VOUS = re.compile(r"\b(vous|votre|vos)\b", re.IGNORECASE)
# Les gabarits du parcours candidat·e, et ceux de ses mises en relation (dans matching).
CANDIDATE_TEMPLATES = sorted(
    [
        *(Path(settings.BASE_DIR) / "candidates" / "templates").rglob("*.html"),
        *(Path(settings.BASE_DIR) / "matching" / "templates" / "matching").glob("candidate_*.html"),
    ]
)


def _main(response) -> str:
    page = text(response)
    return page[page.index("<main") : page.index("</main>")]


@pytest.mark.parametrize("path", CANDIDATE_TEMPLATES, ids=lambda path: path.name)
def test_candidate_templates_say_tu(path):
    assert not VOUS.findall(path.read_text()), path.name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/mes-donnees", "/mes-donnees/supprimer-mon-compte"], ids=["mes-donnees", "suppression"]
)
def test_shared_pages_say_tu_to_a_candidate_and_vous_to_an_employer(client, url):
    client.force_login(CandidateProfileFactory().user)
    assert not VOUS.findall(_main(client.get(url)))
    client.force_login(CompanyFactory().members.first())
    assert VOUS.findall(_main(client.get(url)))


@pytest.mark.django_db
def test_candidate_deletion_errors_and_confirmation_say_tu(client):
    client.force_login(CandidateProfileFactory().user)
    assert "Pour confirmer, écris SUPPRIMER en majuscules" in text(client.get("/mes-donnees/supprimer-mon-compte"))
    response = client.post("/mes-donnees/supprimer-mon-compte", {"confirmation": "non"})
    assert "Écris exactement SUPPRIMER" in text(response) and not VOUS.findall(_main(response))
    response = client.post("/mes-donnees/supprimer-mon-compte", {"confirmation": "SUPPRIMER"}, follow=True)
    assert "Ton compte est supprimé." in text(response)


@pytest.mark.django_db
def test_login_page_says_tu_when_reached_from_the_candidate_space(client):
    assert not VOUS.findall(_main(client.get("/connexion?pour=candidat")))
    response = client.post("/connexion?pour=candidat", {"email": ""})
    assert "Indique ton adresse e-mail." in text(response)
    response = client.post("/connexion?pour=candidat", {"email": "ines@example.org"}, follow=True)
    assert "Regarde tes e-mails" in text(response) and not VOUS.findall(_main(response))
    assert VOUS.findall(_main(client.get("/connexion")))  # sans public connu : « vous »
