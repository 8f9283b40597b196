"""« Et maintenant ? » au téléphone, pour un·e apprenti·e mineur·e : de la mise en relation au contrat signé."""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.services import magic_link_send
from matching import selectors, services
from matching.enums import KitStep, MatchState
from matching.models import Match
from tests.browser.conftest import PHONE, assert_accessible, assert_fits_width
from tests.matching.factories import CandidateProfileFactory, MatchFactory, OfferFactory, TradeFactory, commune_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page):
    assert_fits_width(page)
    assert_accessible(page)


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/connexion/lien/{magic_link_send(user=user)}")
    page.get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_load_state()


def tick(page, label):
    with page.expect_navigation():
        page.get_by_role("button", name=f"C'est fait : {label}").click()
    assert (
        page.locator(f"#etape-{KitStep(next(s for s in KitStep if s.label == label)).value}")
        .get_by_text("Fait le")
        .is_visible()
    )


def test_a_minor_and_an_employer_go_from_the_pair_to_a_signed_contract(browser, live_server):
    trade = TradeFactory(code="boulanger")
    today = timezone.localdate()
    minor = CandidateProfileFactory(
        trades=[trade],
        commune=commune_at(3, name="Arques"),
        birth_date=today.replace(year=today.year - 16, day=1),
        user__first_name="Lina",
        user__last_name="Petit",
    )
    offer = OfferFactory(
        trade=trade,
        commune=commune_at(0, name="Saint-Omer"),
        company__name="Boulangerie Dupain",
        night_or_early_work=True,
    )
    match = MatchFactory(candidate=minor, offer=offer)
    services.match_candidate_answer(match=match, interested=True)
    services.match_employer_answer(match=match, interested=True)
    kit = selectors.match_kit(match)
    assert kit.is_minor

    # Le ou la jeune, au téléphone : depuis ses mises en relation.
    young = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = young.new_page()
    sign_in(page, live_server, minor.user)
    page.goto(f"{live_server.url}/candidat/")
    page.get_by_role("link", name="Et maintenant ? Tes étapes jusqu'au contrat chez Boulangerie Dupain").click()
    page.wait_for_url(f"**/mises-en-relation/{match.pk}/et-maintenant")
    assert page.get_by_role("heading", name="De ton côté").is_visible()
    assert page.get_by_text(f"à {kit.age} ans : tu es mineur·e").is_visible()
    first_year = f"{kit.pay[0].percent} % du SMIC, {kit.pay[0].amount} €".replace(".", ",")
    assert page.get_by_role("cell", name=first_year).first.is_visible()
    assert page.get_by_role("heading", name="Règles pour un·e apprenti·e mineur·e").is_visible()
    assert not page.get_by_role("heading", name="Aide à l'embauche", exact=True).count()  # la section de l'employeur
    check(page)
    tick(page, KitStep.CFA.label)
    tick(page, KitStep.GUARDIAN.label)
    assert page.get_by_text(f"2 étapes faites sur {kit.total}").is_visible()
    assert not page.get_by_role("button", name=f"C'est fait : {KitStep.MEDICAL.label}").count()  # côté employeur
    check(page)
    if os.environ.get("KIT_SCREENSHOT"):
        Path(os.environ["KIT_SCREENSHOT"]).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=os.environ["KIT_SCREENSHOT"], full_page=True)

    # L'employeur, au téléphone : depuis la fiche de son offre.
    boss = browser.new_context(viewport=PHONE, locale="fr-FR")
    employer = boss.new_page()
    sign_in(employer, live_server, offer.company.members.get())
    employer.goto(f"{live_server.url}/employeur/offres/{offer.pk}")
    employer.get_by_role("link", name="Et maintenant ? Les étapes jusqu'au contrat avec Lina Petit").click()
    employer.wait_for_url(f"**/mises-en-relation/{match.pk}/et-maintenant")
    assert employer.get_by_text(f"{kit.hiring_aid} €", exact=True).is_visible()
    check(employer)
    for step in (KitStep.CONTRACT_FORM, KitStep.MEDICAL, KitStep.HOURS, KitStep.HIRING_AID):
        tick(employer, step.label)
    assert employer.get_by_text(f"{kit.total} étapes faites sur {kit.total}").is_visible()
    with employer.expect_navigation():
        employer.get_by_role("button", name="Le contrat est signé").click()
    assert employer.get_by_role("heading", name="Contrat signé").is_visible()
    check(employer)
    assert Match.objects.get(pk=match.pk).state == MatchState.CONTRACT_SIGNED

    page.reload()
    assert page.get_by_role("heading", name="Contrat signé").is_visible()
    assert not page.get_by_role("button", name="Le contrat est signé").count()
    check(page)
    young.close()
    boss.close()
