import pytest

from tests.browser.conftest import assert_accessible, assert_fits_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("page_fixture", ["phone_page", "desktop_page"])
def test_home_page_is_accessible(request, live_server, page_fixture):
    page = request.getfixturevalue(page_fixture)
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text().startswith("Trouver son apprentissage")
    assert page.get_by_role("link", name="Je cherche un employeur").is_visible()
    assert page.get_by_role("link", name="Je recrute un·e apprenti·e").is_visible()
    assert_fits_width(page)
    assert_accessible(page)


def test_skip_link_reaches_content_with_keyboard(phone_page, live_server):
    phone_page.goto(live_server.url + "/")
    phone_page.keyboard.press("Tab")
    focused = phone_page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Contenu"
