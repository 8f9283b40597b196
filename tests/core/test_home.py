"""La page d'accueil : rendue une fois par processus pour les visiteur·ses anonymes, avec un nonce neuf à chaque
réponse ; rendue pour chacun·e dès qu'elle leur est propre."""

import re

import pytest
from django.contrib.messages import Message, constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.shortcuts import render as django_render

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def nonces(response) -> tuple[set[str], str]:
    html = response.content.decode()
    header = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    return set(re.findall(r'nonce="([^"]*)"', html)), header


@pytest.fixture
def rendered_once(client, monkeypatch):
    """Une première visite anonyme, puis plus aucun rendu de gabarit permis pour l'accueil anonyme."""
    first = client.get("/")
    assert first.status_code == 200

    def not_again(*args, **kwargs):
        raise AssertionError("accueil rendu une seconde fois")

    monkeypatch.setattr("core.views.render", not_again)
    return first


def test_anonymous_home_is_rendered_once_with_a_fresh_nonce_each_time(client, rendered_once):
    again = client.get("/")
    assert again.status_code == 200
    (first_nonce,), first_header = nonces(rendered_once)
    (nonce,), header = nonces(again)
    assert first_nonce == first_header and nonce == header  # chaque page porte le nonce de son en-tête CSP
    assert nonce != first_nonce
    assert again.content.decode() == rendered_once.content.decode().replace(first_nonce, nonce)


def test_home_is_rendered_for_a_signed_in_visitor_a_message_or_parameters(client, rendered_once, monkeypatch, rf):
    monkeypatch.undo()
    rendered = []

    def render(request, *args, **kwargs):
        rendered.append(request.get_full_path())
        return django_render(request, *args, **kwargs)

    monkeypatch.setattr("core.views.render", render)
    client.force_login(UserFactory(candidate=True))
    assert "Mes mises en relation" in client.get("/").content.decode()
    client.logout()

    storage = CookieStorage(rf.get("/"))
    client.cookies[CookieStorage.cookie_name] = storage._encode([Message(constants.INFO, "Compte supprimé.")])
    assert "Compte supprimé." in client.get("/").content.decode()
    assert "Compte supprimé." not in client.get("/").content.decode()  # lu une fois, comme partout

    assert "Je cherche un employeur" in client.get("/", {"pour": "candidat"}).content.decode()
    # Connecté·e, message en attente, paramètres : rendue pour la personne ; sans rien de cela : la page gardée.
    assert rendered == ["/", "/", "/?pour=candidat"]
