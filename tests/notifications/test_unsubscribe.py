"""E-mails qui arrivent : désabonnement en un clic (RFC 8058), une préférence par sorte, résumé des employeurs."""

import datetime
import re
from email import policy
from email.parser import BytesParser

import pytest
from django.utils import timezone

from matching import alerts, rematch
from matching.models import Match
from notifications import delivery, preferences, services
from notifications.enums import EmailKind, OutboxStatus
from notifications.models import EmailPreference, OutboxEmail
from tests.accounts.factories import UserFactory
from tests.matching.factories import CandidateProfileFactory, MatchFactory, OfferFactory, TradeFactory, commune_at

pytestmark = pytest.mark.django_db


def sent_headers(server, email):
    """Les en-têtes de l'e-mail tel que le serveur SMTP local l'a reçu."""
    assert delivery.outbox_send(email.pk)
    raw = server.messages[-1].raw
    # L'adresse est écrite telle quelle : découpée en « mots encodés » (=?utf-8?q?…), les messageries ne la
    # liraient pas comme une adresse.
    found = re.search(rb"List-Unsubscribe:(.*?)\r?\n(?! )", raw, re.DOTALL)
    assert found is None or (b"=?" not in found.group(1) and found.group(1).strip().startswith(b"<http"))
    return BytesParser(policy=policy.default).parsebytes(raw)


def test_every_message_but_a_login_link_carries_one_click_unsubscribe_headers(smtp_server):
    from accounts.services import magic_link_send

    user = UserFactory(candidate=True)
    email = services.email_enqueue(
        key="test:relance", to=user, template="matching/emails/reminder_candidate", context=_context(user),
        kind=EmailKind.FOLLOW_UP,
    )  # fmt: skip
    headers = sent_headers(smtp_server, email)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(https?://\S+/d/(\S+))>", headers["List-Unsubscribe"])
    assert url is not None
    assert user.email not in headers["List-Unsubscribe"]
    assert preferences.unsubscribe_token_read(url.group(2)) == (user.pk, EmailKind.FOLLOW_UP)
    assert url.group(1) in email.body  # le même lien, dans le texte

    magic_link_send(user=user)
    login = OutboxEmail.objects.get(key__startswith="magic-link:")
    assert "List-Unsubscribe" not in sent_headers(smtp_server, login)
    assert "/d/" not in login.body


def _context(user):
    match = MatchFactory(candidate=CandidateProfileFactory(user=user))
    return {"match": match, "trade": "Boulanger", "company": "Fournil", "place": "Arras"}


def test_one_click_post_unsubscribes_without_cookie_and_nothing_of_that_kind_is_written_again(client):
    user = UserFactory(candidate=True)
    token = preferences.unsubscribe_token(user_id=user.pk, kind=EmailKind.FOLLOW_UP)
    url = f"/d/{token}"
    page = client.get(url)
    assert page.status_code == 200 and "Me désabonner" in page.text
    assert not EmailPreference.objects.exists()  # ouvrir le lien ne désabonne pas
    client.handler.enforce_csrf_checks = True
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Tu ne recevras plus les e-mails « Relances et suivi jusqu&#x27;au contrat »." in response.text
    assert EmailPreference.objects.get(user=user).unsubscribed == [EmailKind.FOLLOW_UP]
    assert client.post(url).status_code == 200  # deux fois : pareil

    context = _context(user)
    assert (
        services.email_enqueue(
            key="k1", to=user, template="matching/emails/reminder_candidate", context=context, kind=EmailKind.FOLLOW_UP
        )
        is None
    )
    assert (
        services.email_enqueue(
            key="k2", to=user, template="matching/emails/reminder_candidate", context=context, kind=EmailKind.ANSWERS
        )
        is not None
    )


@pytest.mark.parametrize("token", ["abc", "WzEsICJyZWxhbmNlcyJd:faux", ""])
def test_a_forged_or_broken_token_is_refused_in_words(client, token):
    response = client.post(f"/d/{token}x")
    assert response.status_code == 400
    assert "Lien de désabonnement invalide" in response.text
    assert not EmailPreference.objects.exists()


def test_a_token_for_another_kind_or_account_cannot_be_made_by_hand():
    token = preferences.unsubscribe_token(user_id=1, kind=EmailKind.FOLLOW_UP)
    user_kind, signature = token.rsplit(".", 1)
    assert preferences.unsubscribe_token_read(token) == (1, EmailKind.FOLLOW_UP)
    assert preferences.unsubscribe_token_read(f"1-4.{signature}") is None
    assert preferences.unsubscribe_token_read(f"2-{user_kind.split('-')[1]}.{signature}") is None


def test_preferences_page_sets_one_choice_per_kind(client):
    user = UserFactory(employer=True)
    client.force_login(user)
    page = client.get("/mes-e-mails")
    assert page.status_code == 200 and "Un résumé par jour" in page.text
    kept = [EmailKind.ANSWERS, EmailKind.ACCOUNT]
    response = client.post(
        "/mes-e-mails", {"action": "e-mails", "subscribed": kept, "daily_digest": "oui"}, follow=True
    )
    assert "Vos choix d&#x27;e-mails sont enregistrés." in response.text
    preference = EmailPreference.objects.get(user=user)
    assert sorted(preference.unsubscribed) == sorted(set(EmailKind.values) - set(kept))
    assert preference.daily_digest
    response = client.post("/mes-e-mails", {"action": "e-mails", "subscribed": ["inconnue"]})
    assert response.status_code == 200 and "fr-error-text" in response.text
    assert EmailPreference.objects.get(user=user).daily_digest  # rien de perdu


def test_employers_who_chose_the_digest_get_one_email_for_the_day_instead_of_one_per_candidate():
    trade = TradeFactory(code="boulanger")
    offer = OfferFactory(trade=trade, commune=commune_at(0))
    member = offer.company.members.get()
    preferences.email_preferences_set(user=member, subscribed=EmailKind.values, daily_digest=True)
    for km in (1, 2, 3):
        rematch.rematch_candidate(CandidateProfileFactory(trades=[trade], commune=commune_at(km)).pk)
    rematch.rematch_offer(offer.pk)
    assert Match.objects.count() == 3
    assert not OutboxEmail.objects.filter(key__startswith="matching:new_candidate").exists()
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    alerts.send_daily_digests(now=tomorrow)
    alerts.send_daily_digests(now=tomorrow)  # deux passages le même jour : un seul e-mail
    digest = OutboxEmail.objects.get(key__startswith="matching:employer_digest")
    assert digest.to == member.email and digest.subject == "3 nouveaux profils pour vos offres"
    assert digest.kind == EmailKind.NEW_MATCHES and digest.status == OutboxStatus.PENDING


def test_employers_without_the_digest_still_get_one_email_per_candidate():
    trade = TradeFactory(code="boulanger")
    offer = OfferFactory(trade=trade, commune=commune_at(0))
    rematch.rematch_candidate(CandidateProfileFactory(trades=[trade], commune=commune_at(1)).pk)
    rematch.rematch_offer(offer.pk)
    assert OutboxEmail.objects.filter(key__startswith="matching:new_candidate").count() == 1
