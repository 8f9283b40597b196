"""Mes e-mails et SMS, désabonnement en un clic, arrêt des SMS, « tu cherches toujours ? » : au téléphone,
accessibles, sans débordement."""

import re
from urllib.parse import urlsplit

import pytest

from candidates import services as candidate_services
from notifications import preferences, sms_delivery
from notifications.enums import EmailKind
from notifications.models import EmailPreference, SmsSubscription
from tests.browser.conftest import assert_accessible, assert_fits_width
from tests.browser.test_kit import sign_in
from tests.candidates.factories import CandidateProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page):
    assert_fits_width(page)
    assert_accessible(page)


def test_preferences_unsubscribe_and_status_pages_at_phone_size(phone_page, live_server, sms_server):
    page = phone_page
    profile = CandidateProfileFactory()
    user = profile.user
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/mes-e-mails")
    check(page)
    page.get_by_label("Numéro de mobile").fill("01 23 45 67 89")
    page.get_by_role("button", name="Recevoir un code par SMS").click()
    page.wait_for_load_state()
    assert page.get_by_text("Ce numéro n'est pas un mobile français").is_visible()
    assert page.get_by_label("Numéro de mobile").input_value() == "01 23 45 67 89"
    check(page)
    page.get_by_label("Numéro de mobile").fill("06 12 34 56 78")
    page.get_by_role("button", name="Recevoir un code par SMS").click()
    page.wait_for_load_state()
    sms_delivery.sms_sweep()
    code = re.search(r"\b(\d{6})\b", sms_server.received[-1].content).group(1)
    page.get_by_label("Code reçu par SMS").fill(code)
    page.get_by_role("button", name="Vérifier le mobile").click()
    page.wait_for_load_state()
    page.locator("label", has_text=EmailKind.NEW_MATCHES.label).last.click()
    page.get_by_role("button", name="Enregistrer les SMS").click()
    page.wait_for_load_state()
    assert SmsSubscription.objects.get(user=user).kinds == [EmailKind.NEW_MATCHES]
    check(page)

    page.goto(
        preferences.unsubscribe_url(user_id=user.pk, kind=EmailKind.FOLLOW_UP).replace(
            "http://testserver", live_server.url
        )
    )
    check(page)
    page.get_by_role("button", name="Me désabonner").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="C'est noté").is_visible()
    assert EmailPreference.objects.get(user=user).unsubscribed == [EmailKind.FOLLOW_UP]
    check(page)

    page.goto(live_server.url + urlsplit(preferences.sms_stop_url(user.pk)).path)
    check(page)

    token = candidate_services.status_token(profile_id=profile.pk, answer="pause")
    page.goto(f"{live_server.url}/candidat/situation/{token}")
    check(page)
    page.get_by_role("button", name="Confirmer : Je fais une pause").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Merci, c'est noté").is_visible()
    check(page)
