"""Taille des requêtes : au-delà des limites, une réponse 413 en français, avant toute lecture du corps."""

import json

import pytest

from tests.utils import text

pytestmark = pytest.mark.django_db


def test_an_oversized_form_gets_a_french_page(client):
    response = client.post("/connexion", {"email": "a" * (1024 * 1024) + "@example.org"})
    assert response.status_code == 413
    page = text(response)
    assert "Envoi trop volumineux" in page
    assert "Le contenu envoyé est trop volumineux : 1 Mo au plus. Rien n'a été enregistré." in page
    assert "ce que vous aviez saisi y est encore" in page


def test_an_oversized_urlencoded_form_is_refused_before_being_read(client):
    body = "email=" + "a" * (1024 * 1024)
    response = client.post("/connexion", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "1 Mo au plus" in text(response)


def test_a_normal_form_is_untouched(client):
    assert client.post("/connexion", {"email": "lea@example.org"}).status_code == 302


def test_an_oversized_api_call_gets_a_readable_json_answer(client):
    body = json.dumps({"texte": "x" * (1024 * 1024)})
    response = client.post("/api/v1/offres", body, content_type="application/json")
    assert response.status_code == 413
    message = "Le contenu envoyé est trop volumineux : 1 Mo au plus. Rien n'a été enregistré."
    assert response.json() == {"detail": message}


def test_limits_come_from_the_settings(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1536 * 1024
    response = client.post("/connexion", {"email": "a" * (1600 * 1024)})
    assert "1,5 Mo au plus" in text(response)
