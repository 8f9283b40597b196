"""SMS avec consentement : mobile vérifié par un code, sortes choisies, nuit, limite du jour, STOP, accusés de
réception ; l'outbox parle à un faux serveur local de l'API de Brevo."""

import datetime
import json
import re
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from notifications import preferences, services, sms_delivery
from notifications.enums import EmailKind, OutboxStatus, SmsDelivery
from notifications.models import OutboxSms, SmsSubscription
from tests.accounts.factories import UserFactory
from tests.matching.factories import MatchFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(hour, minute=0, day=2):
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def daytime():
    """En journée : entre 20 h et 8 h, un SMS attend le matin (`SMS_QUIET_HOURS`), et ces tests tourneraient
    selon l'heure de leur lancement ; ceux qui parlent de la nuit donnent leur heure."""
    with time_machine.travel(at(11), tick=True):
        yield


def verified(user, kinds=(EmailKind.NEW_MATCHES,)):
    return SmsSubscription.objects.create(
        user=user, phone="+33612345678", verified_at=timezone.now(), kinds=list(kinds)
    )


def enqueue(user, key="k", now=None, kind=EmailKind.NEW_MATCHES):
    match = MatchFactory(candidate__user=user) if not hasattr(user, "_match") else user._match
    user._match = match
    return services.sms_enqueue(
        key=key,
        to=user,
        template="matching/emails/new_offer",
        context={"match": match, "trade": "Boulanger", "company": "Fournil", "place": "Arras"},
        kind=kind,
        now=now,
    )


@pytest.mark.parametrize(
    ("phone", "ok"),
    [("06 12 34 56 78", True), ("+33 7 81 23 45 67", True), ("01 23 45 67 89", False), ("+44 7911 123456", False),
     ("12", False), ("", False)],
)  # fmt: skip
def test_only_a_french_mobile_is_accepted(phone, ok):
    if ok:
        assert services.french_mobile(phone).startswith("+33")
    else:
        with pytest.raises(services.SmsError, match="n'est pas un mobile français"):
            services.french_mobile(phone)


def code_from(sms_server):
    return re.search(r"\b(\d{6})\b", sms_server.received[-1].content).group(1)


def test_the_phone_is_verified_by_a_code_with_limited_tries(sms_server, django_capture_on_commit_callbacks):
    user = UserFactory(candidate=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.phone_verification_start(user=user, phone="06 12 34 56 78")
    assert sms_server.received[-1].recipient == "33612345678"
    code = code_from(sms_server)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(services.SmsError, match="Code incorrect : encore 4 essais."):
        services.phone_verification_confirm(user=user, code=wrong)
    subscription = services.phone_verification_confirm(user=user, code=code)
    assert subscription.phone == "+33612345678" and subscription.verified_at is not None

    other = UserFactory(candidate=True)
    services.phone_verification_start(user=other, phone="0612345679")
    for left in (4, 3, 2, 1):
        with pytest.raises(services.SmsError, match=f"encore {left} essai"):
            services.phone_verification_confirm(user=other, code="999999x")
    with pytest.raises(services.SmsError, match="c'était le dernier essai"):
        services.phone_verification_confirm(user=other, code="999999x")
    with pytest.raises(services.SmsError, match="Trop d'essais"):
        services.phone_verification_confirm(user=other, code="999999x")
    assert not SmsSubscription.objects.filter(user=other).exists()


def test_an_expired_code_is_refused_and_codes_are_limited_per_hour(sms_server):
    user = UserFactory(candidate=True)
    verification = services.phone_verification_start(user=user, phone="0612345678")
    verification.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    verification.save()
    with pytest.raises(services.SmsError, match="Ce code a expiré"):
        services.phone_verification_confirm(user=user, code="123456")
    services.phone_verification_start(user=user, phone="0612345678")
    services.phone_verification_start(user=user, phone="0612345678")
    with pytest.raises(services.SmsError, match="Trois codes"):
        services.phone_verification_start(user=user, phone="0612345678")


def test_no_sms_without_consent_for_that_kind():
    user = UserFactory(candidate=True)
    assert enqueue(user) is None  # pas de mobile vérifié
    verified(user, kinds=[EmailKind.ANSWERS])
    assert enqueue(user) is None  # pas cette sorte
    SmsSubscription.objects.filter(user=user).update(kinds=[EmailKind.NEW_MATCHES])
    assert enqueue(user) is not None


@pytest.mark.parametrize(
    ("now", "expected"),
    [(at(21), at(8, day=3)), (at(7, 30), at(8)), (at(19, 59), at(19, 59)), (at(8), at(8)), (at(20), at(8, day=3))],
)
def test_no_sms_between_20_and_8_they_wait_for_the_morning(now, expected):
    user = UserFactory(candidate=True)
    verified(user)
    assert enqueue(user, now=now).next_attempt_at == expected


def test_a_daily_cap_per_person(settings):
    settings.SMS_DAILY_CAP = 3
    user = UserFactory(candidate=True)
    verified(user)
    sent = [enqueue(user, key=f"k{n}", now=at(10)) for n in range(4)]
    assert [sms is not None for sms in sent] == [True, True, True, False]
    assert enqueue(user, key="lendemain", now=at(10, day=3)) is not None


def test_each_sms_carries_a_stop_link_and_no_phone_or_email(sms_server):
    user = UserFactory(candidate=True)
    verified(user)
    sms = enqueue(user, now=at(10))
    assert "Stop SMS : http" in sms.body
    assert user.email not in sms.body and "0612345678" not in sms.body
    token = re.search(r"/s/(\S+)", sms.body).group(1)
    assert preferences.sms_stop_token_read(token) == user.pk


def test_the_outbox_sends_once_through_the_provider_and_counts_the_cost(sms_server, settings):
    user = UserFactory(candidate=True)
    verified(user)
    sms = enqueue(user)
    assert sms_delivery.sms_send(sms.pk)
    assert not sms_delivery.sms_send(sms.pk)  # déjà parti : rien de plus
    assert len(sms_server.received) == 1
    received = sms_server.received[0]
    assert received.recipient == "33612345678" and received.tag == sms.key and received.api_key == "cle-de-test"
    assert received.web_url.endswith("/sms/evenements/secret-des-evenements")
    sms.refresh_from_db()
    assert sms.status == OutboxStatus.SENT and sms.provider_id == received.message_id
    assert sms.segments >= 1 and sms.credits == sms.segments


@pytest.mark.parametrize(("mode", "status"), [("error", OutboxStatus.PENDING), ("hang", OutboxStatus.PENDING),
                                              ("refuse", OutboxStatus.REFUSED)])  # fmt: skip
def test_provider_errors_and_timeouts_lose_nothing(sms_server, mode, status):
    sms_server.mode = mode
    sms_server.hang_seconds = 2  # plus que SMS_API_TIMEOUT
    user = UserFactory(candidate=True)
    verified(user)
    sms = enqueue(user)
    assert not sms_delivery.sms_send(sms.pk)
    sms.refresh_from_db()
    assert sms.status == status and sms.last_error
    assert user.email not in sms.last_error and "612345678" not in sms.last_error
    if status == OutboxStatus.PENDING:
        assert sms.next_attempt_at > timezone.now()
        sms_server.mode = "ok"
        OutboxSms.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now())
        assert sms_delivery.sms_send(sms.pk)


WEBHOOK_PATH = "/sms/evenements/secret-des-evenements"  # SMS_WEBHOOK_SECRET du faux serveur (tests/conftest.py)


def post_event(client, payload, path=WEBHOOK_PATH):
    return client.post(path, json.dumps(payload), content_type="application/json")


def test_delivery_receipts_and_stop_replies(client, sms_server):
    user = UserFactory(candidate=True)
    verified(user)
    sms = enqueue(user)
    sms_delivery.sms_send(sms.pk)
    sms.refresh_from_db()
    response = post_event(client, {"msg_status": "delivered", "messageId": int(sms.provider_id), "to": "33612345678"})
    assert response.status_code == 200 and response.json() == {"resultat": SmsDelivery.DELIVERED}
    sms.refresh_from_db()
    assert sms.delivery == SmsDelivery.DELIVERED

    waiting = enqueue(user, key="en-attente")
    response = post_event(client, {"msg_status": "reply", "to": "33612345678", "reply": "Stop "})
    assert response.json() == {"resultat": "stop"}
    assert SmsSubscription.objects.get(user=user).stopped_at is not None
    waiting.refresh_from_db()
    assert waiting.status == OutboxStatus.SKIPPED  # ne partira pas
    assert enqueue(user, key="apres") is None


def test_a_stop_from_an_unknown_number_and_bad_events_are_answered_clearly(client, caplog, sms_server):
    response = post_event(client, {"msg_status": "reply", "to": "33699999999", "reply": "STOP"})
    assert response.status_code == 200 and response.json() == {"resultat": "inconnu"}
    assert "33699999999" not in caplog.text
    bad = client.post("/sms/evenements/secret-des-evenements", "pas du json", content_type="application/json")
    assert bad.status_code == 400 and "objet JSON" in bad.json()["erreur"]
    assert post_event(client, {"msg_status": "delivered"}, path="/sms/evenements/faux").status_code == 404


def test_the_stop_link_stops_sms(client):
    user = UserFactory(candidate=True)
    verified(user)
    sms = enqueue(user, now=at(10))
    url = re.search(r"(/s/\S+)", sms.body).group(1)
    assert "Arrêter les SMS" in client.get(url).text
    assert SmsSubscription.objects.get(user=user).stopped_at is None
    assert "Plus aucun SMS" in client.post(url).text
    assert SmsSubscription.objects.get(user=user).stopped_at is not None
    assert client.post("/s/faux").status_code == 400


def test_the_preferences_page_verifies_a_mobile_and_chooses_sms_kinds(client, sms_server):
    user = UserFactory(candidate=True)
    client.force_login(user)
    response = client.post("/mes-e-mails", {"action": "mobile", "phone": "01 23 45 67 89"})
    assert "n&#x27;est pas un mobile français" in response.text
    assert 'value="01 23 45 67 89"' in response.text  # la saisie est gardée
    client.post("/mes-e-mails", {"action": "mobile", "phone": "06 12 34 56 78"})
    from notifications.models import PhoneVerification

    assert PhoneVerification.objects.filter(user=user).count() == 1
    sms_delivery.sms_sweep()
    response = client.post("/mes-e-mails", {"action": "code", "code": "abc"})
    assert "Code incorrect" in response.text
    client.post("/mes-e-mails", {"action": "code", "code": code_from(sms_server)})
    client.post("/mes-e-mails", {"action": "sms", "kinds": [EmailKind.NEW_MATCHES, EmailKind.FOLLOW_UP]})
    assert SmsSubscription.objects.get(user=user).kinds == [EmailKind.NEW_MATCHES, EmailKind.FOLLOW_UP]


def test_national_admins_see_the_monthly_cost_of_sms_and_advisors_do_not(client, sms_server, settings):
    from tests.backoffice.factories import AdvisorFactory, advisor_login

    settings.SMS_CREDIT_EUROS = "0.05"
    user = UserFactory(candidate=True)
    verified(user)
    for n in range(2):
        sms_delivery.sms_send(enqueue(user, key=f"cout{n}").pk)
    advisor_login(client, AdvisorFactory())
    assert "Coût des SMS" not in client.get("/conseiller/").text
    client.logout()
    advisor_login(client, AdvisorFactory(admin=True))
    page = client.get("/conseiller/").text
    credits = sum(sms.credits for sms in OutboxSms.objects.all())
    assert "Coût des SMS, par mois" in page
    assert f"<td>2</td><td>{int(credits)}</td><td>{credits * 5 / 100:.2f} €</td>".replace(".", ",") in page


def test_sms_text_is_erased_30_days_after_sending_and_sms_go_with_the_account(sms_server):
    from privacy import retention
    from privacy import services as privacy_services

    user = UserFactory(candidate=True)
    verified(user)
    sms = enqueue(user)
    sms_delivery.sms_send(sms.pk)
    sms.refresh_from_db()
    assert privacy_services.sent_sms_redact(now=sms.created_at + retention.SENT_EMAIL_CONTENT) == 0
    later = sms.created_at + retention.SENT_EMAIL_CONTENT + datetime.timedelta(minutes=1)
    assert privacy_services.sent_sms_redact(now=later) == 1
    sms.refresh_from_db()
    assert sms.body == "" and sms.segments >= 1  # le coût reste compté
    privacy_services.account_delete(user=user)
    assert not OutboxSms.objects.filter(pk=sms.pk).exists()
    assert not SmsSubscription.objects.filter(user=user).exists()
