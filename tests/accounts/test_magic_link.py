import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.models import MagicLink
from tests.accounts.factories import UserFactory
from tests.utils import link_page_post, text

pytestmark = pytest.mark.django_db


def link_path_from_last_email():
    return re.search(r"http://testserver(/connexion/lien/\S+)", mail.outbox[-1].body).group(1)


def request_link(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/connexion", {"email": email})


def test_sign_in_with_a_magic_link(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="lea@example.org", first_name="Léa")
    response = request_link(client, "Lea@Example.org ", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == "/connexion/verifiez-vos-emails"
    assert mail.outbox[-1].to == ["lea@example.org"]
    path = link_path_from_last_email()

    page = client.get(path)  # l'ouverture seule ne consomme pas le lien (scanners de messagerie)
    assert page.status_code == 200
    assert "Bonjour Léa" in text(page)
    response = link_page_post(client, path)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    assert MagicLink.objects.get().token_hash not in path  # seule l'empreinte est gardée


def test_a_link_works_only_once(client, django_capture_on_commit_callbacks):
    UserFactory(email="lea@example.org")
    request_link(client, "lea@example.org", django_capture_on_commit_callbacks)
    path = link_path_from_last_email()
    token = path.rsplit("/", 1)[1]
    link_page_post(client, path)
    client.logout()
    response = client.post("/connexion/lien", {"token": token})
    assert response.status_code == 400
    content = text(response)
    assert "a déjà servi" in content
    assert "Recevoir un nouveau lien" in content


def test_a_link_expires_after_15_minutes(client, django_capture_on_commit_callbacks):
    UserFactory(email="lea@example.org")
    request_link(client, "lea@example.org", django_capture_on_commit_callbacks)
    path = link_path_from_last_email()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=15, seconds=1)):
        response = client.get(path)
    assert response.status_code == 400
    assert "a expiré" in text(response)


def test_an_unknown_link_says_so(client):
    response = client.get("/connexion/lien/nimportequoi")
    assert response.status_code == 400
    assert "n'est pas valide" in text(response)


def test_unknown_address_gets_the_same_answer_and_no_email(client, django_capture_on_commit_callbacks):
    response = request_link(client, "inconnu@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mail.outbox == []


def test_invalid_address_is_refused_and_kept(client):
    response = client.post("/connexion", {"email": "pas-une-adresse"})
    assert response.status_code == 200
    content = text(response)
    assert "Cette adresse e-mail n'est pas valide." in content
    assert 'value="pas-une-adresse"' in content


def test_next_url_is_kept_but_only_on_this_site(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="lea@example.org")
    services.magic_link_send(user=user, next_url="/healthz")
    token = services.magic_link_send(user=user, next_url="")
    assert link_page_post(client, f"/connexion/lien/{token}").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/connexion?next=https://evil.example/", {"email": "lea@example.org"})
    assert MagicLink.objects.order_by("-pk").first().next_url == ""


def test_opening_the_link_shows_a_form_that_posts_the_token_and_consumes_nothing(client):
    """Le jeton ne voyage dans l'adresse qu'à l'ouverture ; le formulaire l'envoie dans le corps d'un POST
    vers une adresse sans jeton. Une ouverture (scanner de messagerie, aperçu) ne consomme rien."""
    user = UserFactory(first_name="Léa")
    token = services.magic_link_send(user=user)
    for _ in range(2):
        page = client.get(f"/connexion/lien/{token}")
        assert page.status_code == 200
        assert page["Referrer-Policy"] == "no-referrer"
        assert "no-store" in page["Cache-Control"]
        content = page.content.decode()
        assert '<form method="post" action="/connexion/lien">' in content
        assert f'<input type="hidden" name="token" value="{token}">' in content
        assert "Se connecter" in text(page)
    assert MagicLink.objects.get().used_at is None
    assert "_auth_user_id" not in client.session


def test_posting_to_the_link_address_consumes_nothing(client):
    """Seul le POST du formulaire, sans jeton dans l'adresse, consomme le lien."""
    token = services.magic_link_send(user=UserFactory())
    assert client.post(f"/connexion/lien/{token}").status_code == 405
    assert MagicLink.objects.get().used_at is None
    response = client.post("/connexion/lien", {"token": token})
    assert response.status_code == 302
    assert response["Referrer-Policy"] == "no-referrer"
    assert MagicLink.objects.get().used_at is not None


def test_the_form_without_a_token_says_the_link_is_invalid(client):
    response = client.post("/connexion/lien", {})
    assert response.status_code == 400
    assert "n'est pas valide" in text(response)
    assert response["Referrer-Policy"] == "no-referrer"


def test_logout(client):
    client.force_login(UserFactory())
    assert client.post("/deconnexion").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_link_form_works_when_the_browser_sends_a_null_origin():
    """Sous `Referrer-Policy: no-referrer`, Chromium envoie « Origin: null » avec le POST du formulaire :
    le jeton CSRF reste exigé, mais cette origine ne fait pas refuser la requête."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    token = services.magic_link_send(user=UserFactory())
    page = client.get(f"/connexion/lien/{token}")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    refused = client.post("/connexion/lien", {"token": token}, HTTP_ORIGIN="null")
    assert refused.status_code == 403  # sans jeton CSRF
    response = client.post("/connexion/lien", {"token": token, "csrfmiddlewaretoken": csrf}, HTTP_ORIGIN="null")
    assert response.status_code == 302
    other_site = Client(enforce_csrf_checks=True)
    other_site.cookies = client.cookies
    forged = other_site.post("/connexion/lien", {"token": token}, HTTP_ORIGIN="https://evil.example")
    assert forged.status_code == 403
