import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from offers.enums import OfferStatus
from offers.forms import DESCRIPTION_TEMPLATE
from offers.models import Offer
from tests.accounts.factories import UserFactory
from tests.offers.employer_space import camille
from tests.offers.factories import CompanyFactory, OfferFactory, TradeFactory
from tests.utils import text

pytestmark = pytest.mark.django_db


def _valid_data(commune, **overrides):
    data = {
        "trade": str(TradeFactory().pk),
        "levels": ["3", "4"],
        "contract_types": ["apprentissage"],
        "start_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "positions": "1",
        "commune": commune.code,
        "description": "Boulangerie artisanale, 3 personnes.",
        "working_hours": "5 h - 12 h",
        "night_or_early_work": "on",
        "accepts_minors": "on",
        "action": "publier",
    }
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("offers:create"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_candidates_cannot_post_offers(client):
    client.force_login(UserFactory(candidate=True))
    assert client.get(reverse("offers:create")).status_code == 403


def test_create_form_groups_trades_by_family_and_prefills(client, company):
    TradeFactory()
    TradeFactory(code="plombier", family="batiment")
    TradeFactory(code="old", is_active=False)
    response = client.get(reverse("offers:create"))
    page = text(response)
    assert '<optgroup label="Alimentation">' in page
    assert '<optgroup label="Bâtiment">' in page
    assert "Old" not in page
    assert DESCRIPTION_TEMPLATE.splitlines()[0] in page
    assert company.commune.label in page
    assert 'name="company"' not in page  # un seul établissement : pas de choix


def test_create_and_publish_on_one_screen(client, company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("offers:create"), _valid_data(company.commune))
    offer = Offer.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("offers:published", args=[offer.pk])
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.company == company
    assert offer.levels == ["3", "4"]
    assert offer.night_or_early_work and offer.accepts_minors and not offer.driving_licence_required
    page = text(client.get(response.url))
    assert "Votre offre est en ligne" in page
    assert "Ce que dit la loi" in page
    assert "27 %" in page and "1823,03" in page and "492,22" in page  # SMIC du 1er janvier 2026
    assert "2025-1228" in page
    assert "Boulangerie et pâtisserie" in page  # travail tôt + boulanger + mineur·es acceptés


def test_published_page_has_the_jdma_button(client, company, settings):
    settings.JDMA_PRODUCT_ID = "1234"
    settings.JDMA_BUTTON_ID = "5678"
    offer = OfferFactory(company=company)
    page = text(client.get(reverse("offers:published", args=[offer.pk])))
    assert "Je donne mon avis" in page


def test_create_as_draft(client, company):
    response = client.post(
        reverse("offers:create"), _valid_data(company.commune, action="brouillon", start_asap="on", start_date="")
    )
    offer = Offer.objects.get()
    assert response.url == reverse("matching:offer_detail", args=[offer.pk])
    assert offer.status == OfferStatus.DRAFT
    assert offer.start_date is None


def test_bad_input_is_refused_in_words_and_nothing_typed_is_lost(client, company):
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    data = _valid_data(company.commune, trade="", positions="0", start_date=yesterday, description="Mon texte à moi")
    response = client.post(reverse("offers:create"), data)
    page = text(response)
    assert response.status_code == 200
    assert "Choisissez le métier de l'offre." in page
    assert "Il faut au moins un poste." in page
    assert "La date de début ne peut pas être dans le passé." in page
    assert "Mon texte à moi" in page
    assert "5 h - 12 h" in page
    assert not Offer.objects.exists()


def test_a_start_date_or_asap_is_required(client, company):
    response = client.post(reverse("offers:create"), _valid_data(company.commune, start_date=""))
    assert "Choisissez : « Dès que possible » ou « À partir d'une date précise »." in text(response)
    response = client.post(reverse("offers:create"), _valid_data(company.commune, start_asap="date", start_date=""))
    assert "Indiquez la date de début, ou choisissez « Dès que possible »." in text(response)


def test_the_start_is_one_required_choice_not_two_optional_fields(client, company):
    page = client.get(reverse("offers:create")).content.decode()
    start = page[page.index("Début du contrat") - 300 : page.index('name="commune"')]
    assert 'type="radio" name="start_asap" value="on"' in start and "checked" in start  # « dès que possible »
    assert 'type="radio" name="start_asap" value="date"' in start
    assert "(Optionnel)" not in start and "optionnel" not in start.lower()


def test_several_establishments_choose_one(client, member, company):
    other = CompanyFactory(member=member, name="Fournil du port")
    response = client.get(reverse("offers:create"))
    assert 'name="company"' in text(response)
    client.post(reverse("offers:create"), _valid_data(other.commune, company=str(other.pk)))
    assert Offer.objects.get().company == other


def test_cannot_post_for_a_company_one_is_not_member_of(client, member, company):
    CompanyFactory(member=member)
    stranger = CompanyFactory()
    response = client.post(reverse("offers:create"), _valid_data(company.commune, company=str(stranger.pk)))
    assert response.status_code == 200
    assert not Offer.objects.exists()


def test_update_keeps_the_form_and_rematches(client, company, monkeypatch):
    calls = []
    monkeypatch.setattr("matching.tasks.schedule_rematch_for_offer", lambda offer: calls.append(offer.pk))
    offer = OfferFactory(company=company, positions=1)
    page = text(client.get(reverse("offers:update", args=[offer.pk])))
    assert offer.description in page
    data = _valid_data(company.commune, trade=str(offer.trade_id), positions="2", start_asap="on")
    response = client.post(reverse("offers:update", args=[offer.pk]), data)
    assert response.url == reverse("matching:offer_detail", args=[offer.pk])
    offer.refresh_from_db()
    assert offer.positions == 2
    assert calls == [offer.pk]


@pytest.mark.parametrize("url_name", ["matching:offer_detail", "offers:update", "offers:published"])
def test_other_employers_get_a_404(client, url_name):
    offer = OfferFactory()
    client.force_login(UserFactory(employer=True))
    assert client.get(reverse(url_name, args=[offer.pk])).status_code == 404


def test_invalid_transition_is_a_message_not_a_500(client, company):
    offer = OfferFactory(company=company)
    response = client.post(reverse("offers:transition", args=[offer.pk]), {"action": "publier"}, follow=True)
    assert response.status_code == 200
    assert "Seul un brouillon peut être publié" in text(response)


def test_extend_and_archive_from_the_home_page(client, company):
    offer = OfferFactory(company=company, expired=True)
    response = client.post(reverse("offers:transition", args=[offer.pk]), {"action": "prolonger", "next": "home"})
    assert response.url == reverse("matching:employer_home")
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PUBLISHED
    client.post(reverse("offers:transition", args=[offer.pk]), {"action": "archiver"})
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.ARCHIVED


def test_published_page_of_a_draft_goes_to_the_detail(client, company):
    offer = OfferFactory(company=company, draft=True)
    response = client.get(reverse("offers:published", args=[offer.pk]))
    assert response.url == reverse("matching:offer_detail", args=[offer.pk])


def test_emails_to_the_employer_name_nobody_before_mutual_interest(client, company):
    from matching import services as matching_services
    from notifications.models import OutboxEmail
    from tests.candidates.factories import _years_ago

    offer = OfferFactory(company=company)
    minor = camille(birth_date=_years_ago(16) - datetime.timedelta(days=40))
    match = matching_services.match_propose_by_hand(candidate=minor, offer=offer, by_user=None)
    matching_services.match_candidate_answer(match=match, interested=True)
    bodies = list(OutboxEmail.objects.filter(to=company.members.get().email).values_list("subject", "body"))
    assert len(bodies) == 2  # nouvelle paire, puis intérêt de la ou du jeune
    assert not any(word in str(bodies) for word in ("Camille", "Martin", "16 ans", "camille@example.org"))


def test_la_bonne_alternance_box_is_ticked_by_default_and_can_be_unticked(client, company):
    page = client.get(reverse("offers:create")).content.decode()
    box = page[page.index('name="lba_consent"') - 200 : page.index('name="lba_consent"') + 200]
    assert "checked" in box
    assert "Diffuser aussi mon offre sur La bonne alternance" in page
    client.post(reverse("offers:create"), _valid_data(company.commune))  # case cochée par le navigateur : absente ici
    assert Offer.objects.get().lba_consent is False
    client.post(reverse("offers:create"), _valid_data(company.commune, lba_consent="on"))
    assert Offer.objects.latest("pk").lba_consent is True
