"""Le bandeau « Nos e-mails ne te parviennent plus » : lisible au téléphone, accessible, et il se ferme."""

import pytest

from notifications.models import UndeliverableAddress
from tests.browser.conftest import assert_accessible, assert_fits_width
from tests.browser.test_privacy import sign_in, watch_csp
from tests.candidates.factories import CandidateProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("page_fixture", ["phone_page", "desktop_page"])
def test_refused_address_banner(request, live_server, page_fixture):
    page = request.getfixturevalue(page_fixture)
    blocked = watch_csp(page)
    profile = CandidateProfileFactory(user__email="lea@example.org", user__first_name="Léa")
    UndeliverableAddress.objects.create(email="lea@example.org", smtp_code=550)
    sign_in(page, live_server, profile.user)

    assert page.get_by_text("Nos e-mails ne te parviennent plus").is_visible()
    assert_fits_width(page)
    assert_accessible(page)
    page.get_by_role("button", name="Mon adresse fonctionne, reprendre les envois").click()
    page.wait_for_load_state()
    assert page.get_by_text("C'est noté : tu recevras de nouveau nos e-mails.").is_visible()
    assert not page.get_by_text("Nos e-mails ne te parviennent plus").is_visible()
    assert not UndeliverableAddress.objects.exists()
    assert blocked == []
