"""L'administration technique (/admin/) : éteinte sauf réglage ADMIN_ENABLED ; second facteur vérifié exigé,
même après un mot de passe ; connexion par mot de passe limitée en débit."""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from backoffice.scope import SESSION_VERIFIED_KEY
from tests.accounts.factories import UserFactory
from tests.backoffice.factories import AdvisorFactory, advisor_login, totp_now

pytestmark = pytest.mark.django_db


def test_admin_is_off_unless_a_setting_turns_it_on(client, settings):
    assert django_settings.DEBUG is False and django_settings.ADMIN_ENABLED is False  # défaut : éteinte
    superuser = AdvisorFactory(admin=True)
    for path in ("/admin/", "/admin/login/", "/admin/employers/company/", "/admin/nimporte-quoi/"):
        assert client.get(path).status_code == 404, path
    advisor_login(client, superuser)  # même connecté·e, second facteur vérifié
    for path in ("/admin/", "/admin/login/", "/admin/employers/company/"):
        assert client.get(path).status_code == 404, path
    settings.ADMIN_ENABLED = True
    assert client.get("/admin/").status_code == 200


def test_a_magic_link_session_needs_the_second_factor_for_the_admin(client, settings):
    settings.ADMIN_ENABLED = True
    superuser = AdvisorFactory(admin=True)
    client.force_login(superuser.user)  # connecté·e par lien magique, sans second facteur
    response = client.get("/admin/employers/company/")
    assert response.status_code == 302
    assert response.url == f"{reverse('backoffice:verify')}?next=%2Fadmin%2Femployers%2Fcompany%2F"
    response = client.post(response.url, {"code": totp_now(superuser), "next": "/admin/employers/company/"})
    assert response.url == "/admin/employers/company/"
    assert client.get("/admin/employers/company/").status_code == 200


def test_a_password_is_not_enough_for_the_admin(client, settings):
    settings.ADMIN_ENABLED = True
    superuser = AdvisorFactory(admin=True, user__email="admin@cma.fr", user__password="un-mot-de-passe-long")
    response = client.post("/admin/login/", {"username": "admin@cma.fr", "password": "un-mot-de-passe-long"})
    assert response.status_code == 302
    assert SESSION_VERIFIED_KEY not in client.session
    response = client.get("/admin/")
    assert response.url.startswith(reverse("backoffice:verify"))
    assert superuser.user.pk == int(client.session["_auth_user_id"])


def test_admin_password_login_is_rate_limited(client, settings):
    settings.ADMIN_ENABLED = True
    AdvisorFactory(admin=True, user__email="admin@cma.fr", user__password="un-mot-de-passe-long")
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "admin@cma.fr", "password": "mauvais"})
        assert response.status_code == 200
    response = client.post("/admin/login/", {"username": "admin@cma.fr", "password": "un-mot-de-passe-long"})
    assert response.status_code == 429
    assert "Trop d'essais" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    # Par adresse IP aussi, quel que soit le compte essayé.
    for number in range(10):
        client.post("/admin/login/", {"username": f"autre{number}@cma.fr", "password": "mauvais"})
    assert client.post("/admin/login/", {"username": "x@cma.fr", "password": "y"}).status_code == 429


def test_staff_outside_the_back_office_cannot_reach_the_admin(client, settings):
    settings.ADMIN_ENABLED = True
    client.force_login(UserFactory(employer=True, is_staff=True))
    assert client.get("/admin/").status_code in (302, 403)
    assert client.get("/admin/", follow=True).status_code == 403
