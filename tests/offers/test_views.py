import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.enums import MatchState
from matching.models import Match
from offers.enums import OfferStatus
from offers.forms import DESCRIPTION_TEMPLATE
from offers.models import Offer
from tests.accounts.factories import UserFactory
from tests.candidates.factories import CandidateProfileFactory
from tests.offers.factories import CompanyFactory, OfferFactory, TradeFactory
from tests.utils import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    user = UserFactory(employer=True)
    client.force_login(user)
    return user


@pytest.fixture
def company(member):
    return CompanyFactory(member=member, name="Boulangerie Dupain")


def _candidate(**kwargs):
    user = UserFactory(
        candidate=True, first_name="Camille", last_name="Martin", email="camille@example.org", phone="+33698765432"
    )
    return CandidateProfileFactory(user=user, presentation="J'adore le pain.", **kwargs)


def _match(offer, candidate, state=MatchState.PROPOSED, **kwargs):
    return Match.objects.create(candidate=candidate, offer=offer, distance_km=4.2, score=0.9, state=state, **kwargs)


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
    assert response.url == reverse("offers:detail", args=[offer.pk])
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
    assert response.url == reverse("offers:detail", args=[offer.pk])
    offer.refresh_from_db()
    assert offer.positions == 2
    assert calls == [offer.pk]


@pytest.mark.parametrize("url_name", ["offers:detail", "offers:update", "offers:published"])
def test_other_employers_get_a_404(client, url_name):
    offer = OfferFactory()
    client.force_login(UserFactory(employer=True))
    assert client.get(reverse(url_name, args=[offer.pk])).status_code == 404


def test_non_members_cannot_answer_for_an_offer(client):
    offer = OfferFactory()
    match = _match(offer, _candidate())
    client.force_login(UserFactory(employer=True))
    response = client.post(reverse("matching:employer_answer", args=[offer.pk, match.pk]), {"interested": "oui"})
    assert response.status_code == 404
    assert Match.objects.get(pk=match.pk).state == MatchState.PROPOSED


def test_candidates_are_pseudonymised_until_mutual_interest(client, company):
    offer = OfferFactory(company=company)
    candidate = _candidate()
    match = _match(offer, candidate, state=MatchState.CANDIDATE_INTERESTED)
    for url in [reverse("employers:home"), reverse("offers:detail", args=[offer.pk])]:
        page = text(client.get(url))
        assert "camille@example.org" not in page
        assert "98 76 54 32" not in page and "698765432" not in page
        assert "Martin" not in page
    page = text(client.get(reverse("offers:detail", args=[offer.pk])))
    assert "Camille M." in page
    assert f"{candidate.age_on(timezone.localdate())} ans" in page
    assert "à 4 km" in page
    assert "J'adore le pain." in page
    assert "Intéressé·e par votre offre" in page

    client.post(reverse("matching:employer_answer", args=[offer.pk, match.pk]), {"interested": "oui"})
    match.refresh_from_db()
    assert match.is_connected
    page = text(client.get(reverse("offers:detail", args=[offer.pk])))
    assert "Camille Martin" in page
    assert "camille@example.org" in page
    assert "06 98 76 54 32" in page


def test_interest_before_the_candidate_waits_for_their_answer(client, company):
    offer = OfferFactory(company=company)
    match = _match(offer, _candidate())
    response = client.post(
        reverse("matching:employer_answer", args=[offer.pk, match.pk]), {"interested": "oui"}, follow=True
    )
    match.refresh_from_db()
    assert match.state == MatchState.EMPLOYER_INTERESTED
    page = text(response)
    assert "En attente de sa réponse" in page
    assert "camille@example.org" not in page


def test_not_interested_with_a_reason(client, company):
    offer = OfferFactory(company=company)
    match = _match(offer, _candidate())
    client.post(
        reverse("matching:employer_answer", args=[offer.pk, match.pk]), {"interested": "non", "reason": "trop_loin"}
    )
    match.refresh_from_db()
    assert match.state == MatchState.NO_FOLLOW_UP
    assert match.no_interest_reason == "trop_loin"


def test_answering_twice_shows_the_matching_error(client, company):
    offer = OfferFactory(company=company)
    match = _match(offer, _candidate(), state=MatchState.EMPLOYER_INTERESTED)
    response = client.post(
        reverse("matching:employer_answer", args=[offer.pk, match.pk]), {"interested": "oui"}, follow=True
    )
    assert response.status_code == 200
    assert "Vous avez déjà répondu." in text(response)


def test_outcome_contract_signed_fills_the_offer(client, company):
    offer = OfferFactory(company=company, positions=1)
    match = _match(offer, _candidate(), state=MatchState.CONNECTED, connected_at=timezone.now())
    response = client.post(
        reverse("matching:employer_outcome", args=[offer.pk, match.pk]), {"state": "contrat_signe"}, follow=True
    )
    assert "C'est noté : contrat signé." in text(response)
    offer.refresh_from_db()
    assert (offer.filled_positions, offer.status) == (1, OfferStatus.FILLED)


def test_outcome_before_mutual_interest_shows_an_error(client, company):
    offer = OfferFactory(company=company)
    match = _match(offer, _candidate())
    response = client.post(
        reverse("matching:employer_outcome", args=[offer.pk, match.pk]), {"state": "entretien"}, follow=True
    )
    assert "Possible seulement une fois en relation." in text(response)


def test_invalid_transition_is_a_message_not_a_500(client, company):
    offer = OfferFactory(company=company)
    response = client.post(reverse("offers:transition", args=[offer.pk]), {"action": "publier"}, follow=True)
    assert response.status_code == 200
    assert "Seul un brouillon peut être publié" in text(response)


def test_extend_and_archive_from_the_home_page(client, company):
    offer = OfferFactory(company=company, expired=True)
    response = client.post(reverse("offers:transition", args=[offer.pk]), {"action": "prolonger", "next": "home"})
    assert response.url == reverse("employers:home")
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PUBLISHED
    client.post(reverse("offers:transition", args=[offer.pk]), {"action": "archiver"})
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.ARCHIVED


def test_home_counts_matches_in_a_constant_number_of_queries(client, member, company, django_assert_num_queries):
    def add_offer():
        offer = OfferFactory(company=company)
        _match(offer, CandidateProfileFactory())
        _match(offer, CandidateProfileFactory(), state=MatchState.CANDIDATE_INTERESTED)
        _match(offer, CandidateProfileFactory(), state=MatchState.CONNECTED)
        _match(offer, CandidateProfileFactory(), state=MatchState.CONTRACT_SIGNED)
        return offer

    add_offer()
    client.get(reverse("employers:home"))  # session, etc. en cache
    with CaptureQueriesContext(connection) as one_offer:
        client.get(reverse("employers:home"))
    assert len(one_offer) <= 6
    for _ in range(3):
        add_offer()
    with django_assert_num_queries(len(one_offer)):
        response = client.get(reverse("employers:home"))
    page = text(response)
    assert page.count("1 nouveau profil") == 4
    assert page.count("1 en attente de réponse") == 4
    assert page.count("1 en contact") == 4
    assert page.count("1 contrat signé") == 4


def test_published_page_of_a_draft_goes_to_the_detail(client, company):
    offer = OfferFactory(company=company, draft=True)
    response = client.get(reverse("offers:published", args=[offer.pk]))
    assert response.url == reverse("offers:detail", args=[offer.pk])


def test_a_minor_shows_only_an_initial_and_an_age_band_until_mutual_interest(client, company):
    from tests.candidates.factories import _years_ago

    offer = OfferFactory(company=company)
    minor = _candidate(birth_date=_years_ago(16) - datetime.timedelta(days=40))
    match = _match(offer, minor, state=MatchState.CANDIDATE_INTERESTED)
    page = text(client.get(reverse("offers:detail", args=[offer.pk])))
    assert "C., 16-17 ans" in page
    assert "Camille" not in page and "16 ans" not in page
    client.post(reverse("matching:employer_answer", args=[offer.pk, match.pk]), {"interested": "oui"})
    page = text(client.get(reverse("offers:detail", args=[offer.pk])))
    assert "Camille Martin, 16 ans" in page


def test_the_age_band_and_the_name_rule():
    from offers.views import age_label, display_name

    user = UserFactory.build(first_name="Léa", last_name="Roux")
    assert [age_label(age, connected=False) for age in (15, 16, 17, 18, 25)] == [
        "moins de 16 ans",
        "16-17 ans",
        "16-17 ans",
        "18 ans",
        "25 ans",
    ]
    assert age_label(16, connected=True) == "16 ans"
    assert display_name(user, age=17, connected=False) == "L."
    assert display_name(user, age=18, connected=False) == "Léa R."
    assert display_name(user, age=17, connected=True) == "Léa R."


def test_emails_to_the_employer_name_nobody_before_mutual_interest(client, company):
    from matching import services as matching_services
    from notifications.models import OutboxEmail
    from tests.candidates.factories import _years_ago

    offer = OfferFactory(company=company)
    minor = _candidate(birth_date=_years_ago(16) - datetime.timedelta(days=40))
    match = matching_services.match_propose_by_hand(candidate=minor, offer=offer, by_user=None)
    matching_services.match_candidate_answer(match=match, interested=True)
    bodies = list(OutboxEmail.objects.filter(to=company.members.get().email).values_list("subject", "body"))
    assert len(bodies) == 2  # nouvelle paire, puis intérêt de la ou du jeune
    assert not any(word in str(bodies) for word in ("Camille", "Martin", "16 ans", "camille@example.org"))


def test_offer_in_mayotte_shows_the_smic_of_mayotte(client, company):
    from tests.geo.factories import CommuneFactory, DepartementFactory, RegionFactory

    mamoudzou = CommuneFactory(
        code="97611", departement=DepartementFactory(code="976", region=RegionFactory(code="06")), lat=-12.78, lng=45.23
    )
    offer = OfferFactory(company=company, commune=mamoudzou)
    page = text(client.get(reverse("offers:detail", args=[offer.pk])))
    assert "1415,05" in page and "9,33" in page
    assert "1823,03" not in page


def test_la_bonne_alternance_box_is_ticked_by_default_and_can_be_unticked(client, company):
    page = client.get(reverse("offers:create")).content.decode()
    box = page[page.index('name="lba_consent"') - 200 : page.index('name="lba_consent"') + 200]
    assert "checked" in box
    assert "Diffuser aussi mon offre sur La bonne alternance" in page
    client.post(reverse("offers:create"), _valid_data(company.commune))  # case cochée par le navigateur : absente ici
    assert Offer.objects.get().lba_consent is False
    client.post(reverse("offers:create"), _valid_data(company.commune, lba_consent="on"))
    assert Offer.objects.latest("pk").lba_consent is True
