import re

import pyotp
import pytest
from django.core import mail

from backoffice.models import AuditLog, RecoveryCode
from backoffice.scope import SESSION_VERIFIED_KEY
from tests.accounts.factories import UserFactory
from tests.backoffice.factories import AdvisorFactory, totp_now
from tests.utils import link_page_post, text

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/conseiller/")
    assert response.status_code == 302
    assert response.url.startswith("/connexion?next=")


@pytest.mark.parametrize("trait", ["candidate", "employer"])
def test_other_roles_are_refused(client, trait):
    client.force_login(UserFactory(**{trait: True}))
    assert client.get("/conseiller/").status_code == 403
    assert client.get("/conseiller/verification").status_code == 403


def test_magic_link_then_enrolment_then_recovery_codes(client, django_capture_on_commit_callbacks):
    advisor = AdvisorFactory(unconfirmed=True, user__email="conseil@cma.fr")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/connexion", {"email": "conseil@cma.fr"})
    path = re.search(r"http://testserver(/connexion/lien/\S+)", mail.outbox[-1].body).group(1)
    response = link_page_post(client, path)
    assert response.url == "/conseiller/"  # accounts.roles.home_url

    response = client.get("/conseiller/")
    assert response.url == "/conseiller/activation"
    page = client.get("/conseiller/activation")
    advisor.refresh_from_db()
    secret = advisor.get_totp_secret()
    assert secret and "otpauth://totp/" in text(page)
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in text(page)

    wrong = client.post("/conseiller/activation", {"code": "000000"})
    assert "Ce code n'est pas le bon" in text(wrong)
    response = client.post("/conseiller/activation", {"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([0-9a-f]{8}-[0-9a-f]{8})</code>", response.content.decode())
    assert len(codes) == 10
    assert RecoveryCode.objects.filter(advisor=advisor).count() == 10
    assert not RecoveryCode.objects.filter(code_hash__in=codes).exists()  # seules les empreintes sont gardées
    assert client.get("/conseiller/").status_code == 200
    assert AuditLog.objects.filter(action="second_facteur_active").exists()


def test_each_new_session_asks_for_a_code(client):
    advisor = AdvisorFactory()
    client.force_login(advisor.user)
    response = client.get("/conseiller/listes/en-attente?page=2")
    assert response.status_code == 302
    assert response.url == "/conseiller/verification?next=%2Fconseiller%2Flistes%2Fen-attente%3Fpage%3D2"
    response = client.post(response.url, {"code": totp_now(advisor), "next": "/conseiller/listes/en-attente?page=2"})
    assert response.url == "/conseiller/listes/en-attente?page=2"
    assert client.session[SESSION_VERIFIED_KEY] == advisor.user.pk
    assert client.get("/conseiller/").status_code == 200


def test_a_code_works_only_once(client):
    advisor = AdvisorFactory()
    code = totp_now(advisor)
    client.force_login(advisor.user)
    assert client.post("/conseiller/verification", {"code": code}).status_code == 302
    client.logout()
    client.force_login(advisor.user)
    response = client.post("/conseiller/verification", {"code": code})
    assert response.status_code == 200
    assert "déjà servi" in text(response)


def test_next_must_stay_in_the_back_office(client):
    advisor = AdvisorFactory()
    client.force_login(advisor.user)
    response = client.post("/conseiller/verification", {"code": totp_now(advisor), "next": "https://evil.example"})
    assert response.url == "/conseiller/"


def test_recovery_code_is_single_use(client):
    advisor = AdvisorFactory()
    RecoveryCode.objects.create(advisor=advisor, code_hash=RecoveryCode.hash("abcd1234-ef567890"))
    client.force_login(advisor.user)
    assert client.post("/conseiller/verification", {"code": "ABCD1234-EF567890"}).status_code == 302
    assert AuditLog.objects.filter(action="code_secours_utilise", actor=advisor.user).exists()
    client.logout()
    client.force_login(advisor.user)
    assert client.post("/conseiller/verification", {"code": "abcd1234-ef567890"}).status_code == 200


def test_attempts_are_rate_limited(client):
    advisor = AdvisorFactory()
    client.force_login(advisor.user)
    for _ in range(5):
        client.post("/conseiller/verification", {"code": "123456"})
    response = client.post("/conseiller/verification", {"code": totp_now(advisor)})
    assert "Trop d'essais" in text(response)
    assert SESSION_VERIFIED_KEY not in client.session


def test_an_administrator_without_profile_is_asked_to_enrol(client):
    admin = UserFactory(admin=True)
    client.force_login(admin)
    assert client.get("/conseiller/").url == "/conseiller/activation"
    assert admin.advisor_profile.totp_confirmed is False
