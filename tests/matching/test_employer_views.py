"""L'espace de l'employeur : ses offres et leurs paires, une offre et ses candidat·es (pseudonymes tant que
l'intérêt n'est pas mutuel), ses réponses et la suite d'une paire en relation."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.enums import MatchState
from matching.models import Match
from matching.views.employer import age_label, display_name
from offers.enums import OfferStatus
from tests.accounts.factories import UserFactory
from tests.candidates.factories import CandidateProfileFactory, _years_ago
from tests.geo.factories import CommuneFactory, DepartementFactory, RegionFactory
from tests.offers.employer_space import camille
from tests.offers.factories import CompanyFactory, OfferFactory
from tests.utils import text

pytestmark = pytest.mark.django_db


def _match(offer, candidate, state=MatchState.PROPOSED, score=0.9, **kwargs):
    return Match.objects.create(candidate=candidate, offer=offer, distance_km=4.2, score=score, state=state, **kwargs)


def test_home_requires_an_employer(client):
    assert client.get(reverse("matching:employer_home")).status_code == 302
    client.force_login(UserFactory(candidate=True))
    assert client.get(reverse("matching:employer_home")).status_code == 403


def test_home_lists_offers_of_every_establishment(client):
    user = UserFactory(employer=True)
    first, second = CompanyFactory(member=user), CompanyFactory(member=user)
    OfferFactory(company=first, trade__code="boulanger")
    OfferFactory(company=second, trade__code="coiffeur", trade__family="beaute_soins", draft=True)
    OfferFactory()  # d'un autre employeur
    client.force_login(user)
    page = text(client.get(reverse("matching:employer_home")))
    assert page.count('class="fr-card__title"') == 2
    assert "Publiée" in page and "Brouillon" in page


def test_non_members_cannot_answer_for_an_offer(client):
    offer = OfferFactory()
    match = _match(offer, camille())
    client.force_login(UserFactory(employer=True))
    response = client.post(reverse("matching:employer_answer", args=[offer.pk, match.pk]), {"interested": "oui"})
    assert response.status_code == 404
    assert Match.objects.get(pk=match.pk).state == MatchState.PROPOSED


def test_candidates_are_pseudonymised_until_mutual_interest(client, company):
    offer = OfferFactory(company=company)
    candidate = camille()
    match = _match(offer, candidate, state=MatchState.CANDIDATE_INTERESTED)
    for url in [reverse("matching:employer_home"), reverse("matching:offer_detail", args=[offer.pk])]:
        page = text(client.get(url))
        assert "camille@example.org" not in page
        assert "98 76 54 32" not in page and "698765432" not in page
        assert "Martin" not in page
    page = text(client.get(reverse("matching:offer_detail", args=[offer.pk])))
    assert "Camille M." in page
    assert f"{candidate.age_on(timezone.localdate())} ans" in page
    assert "à 4 km" in page
    assert "J'adore le pain." in page
    assert "Intéressé·e par votre offre" in page

    client.post(reverse("matching:employer_answer", args=[offer.pk, match.pk]), {"interested": "oui"})
    match.refresh_from_db()
    assert match.is_connected
    page = text(client.get(reverse("matching:offer_detail", args=[offer.pk])))
    assert "Camille Martin" in page
    assert "camille@example.org" in page
    assert "06 98 76 54 32" in page


def test_interest_before_the_candidate_waits_for_their_answer(client, company):
    offer = OfferFactory(company=company)
    match = _match(offer, camille())
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
    match = _match(offer, camille())
    client.post(
        reverse("matching:employer_answer", args=[offer.pk, match.pk]), {"interested": "non", "reason": "trop_loin"}
    )
    match.refresh_from_db()
    assert match.state == MatchState.NO_FOLLOW_UP
    assert match.no_interest_reason == "trop_loin"


def test_answering_twice_shows_the_matching_error(client, company):
    offer = OfferFactory(company=company)
    match = _match(offer, camille(), state=MatchState.EMPLOYER_INTERESTED)
    response = client.post(
        reverse("matching:employer_answer", args=[offer.pk, match.pk]), {"interested": "oui"}, follow=True
    )
    assert response.status_code == 200
    assert "Vous avez déjà répondu." in text(response)


def test_outcome_contract_signed_fills_the_offer(client, company):
    offer = OfferFactory(company=company, positions=1)
    match = _match(offer, camille(), state=MatchState.CONNECTED, connected_at=timezone.now())
    response = client.post(
        reverse("matching:employer_outcome", args=[offer.pk, match.pk]), {"state": "contrat_signe"}, follow=True
    )
    assert "C'est noté : contrat signé." in text(response)
    offer.refresh_from_db()
    assert (offer.filled_positions, offer.status) == (1, OfferStatus.FILLED)


def test_outcome_before_mutual_interest_shows_an_error(client, company):
    offer = OfferFactory(company=company)
    match = _match(offer, camille())
    response = client.post(
        reverse("matching:employer_outcome", args=[offer.pk, match.pk]), {"state": "entretien"}, follow=True
    )
    assert "Possible seulement une fois en relation." in text(response)


def test_home_counts_matches_in_a_constant_number_of_queries(client, member, company, django_assert_num_queries):
    def add_offer():
        offer = OfferFactory(company=company)
        _match(offer, CandidateProfileFactory())
        _match(offer, CandidateProfileFactory(), state=MatchState.CANDIDATE_INTERESTED)
        _match(offer, CandidateProfileFactory(), state=MatchState.CONNECTED)
        _match(offer, CandidateProfileFactory(), state=MatchState.CONTRACT_SIGNED)
        return offer

    add_offer()
    client.get(reverse("matching:employer_home"))  # session, etc. en cache
    with CaptureQueriesContext(connection) as one_offer:
        client.get(reverse("matching:employer_home"))
    assert len(one_offer) <= 6
    for _ in range(3):
        add_offer()
    with django_assert_num_queries(len(one_offer)):
        response = client.get(reverse("matching:employer_home"))
    page = text(response)
    assert page.count("1 nouveau profil") == 4
    assert page.count("1 en attente de réponse") == 4
    assert page.count("1 en contact") == 4
    assert page.count("1 contrat signé") == 4


def test_a_minor_shows_only_an_initial_and_an_age_band_until_mutual_interest(client, company):
    offer = OfferFactory(company=company)
    minor = camille(birth_date=_years_ago(16) - datetime.timedelta(days=40))
    match = _match(offer, minor, state=MatchState.CANDIDATE_INTERESTED)
    page = text(client.get(reverse("matching:offer_detail", args=[offer.pk])))
    assert "C., 16-17 ans" in page
    assert "Camille" not in page and "16 ans" not in page
    client.post(reverse("matching:employer_answer", args=[offer.pk, match.pk]), {"interested": "oui"})
    page = text(client.get(reverse("matching:offer_detail", args=[offer.pk])))
    assert "Camille Martin, 16 ans" in page


def test_the_age_band_and_the_name_rule():
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


def test_offer_in_mayotte_shows_the_smic_of_mayotte(client, company):
    mamoudzou = CommuneFactory(
        code="97611", departement=DepartementFactory(code="976", region=RegionFactory(code="06")), lat=-12.78, lng=45.23
    )
    offer = OfferFactory(company=company, commune=mamoudzou)
    page = text(client.get(reverse("matching:offer_detail", args=[offer.pk])))
    assert "1415,05" in page and "9,33" in page
    assert "1823,03" not in page


def test_answers_land_on_the_page_that_shows_the_card(client, company):
    """La carte d'une paire qui passe en relation remonte en tête : la réponse y mène ; une carte qui n'est plus
    montrée ramène à la page d'où venait la réponse."""
    offer = OfferFactory(company=company)
    connected = [_match(offer, CandidateProfileFactory(), state=MatchState.CONNECTED) for _ in range(21)]
    keen = _match(offer, camille(), state=MatchState.CANDIDATE_INTERESTED, score=2)
    other = _match(offer, CandidateProfileFactory(), score=0.1)
    url = reverse("matching:offer_detail", args=[offer.pk])
    assert f"candidat-{keen.pk}" in text(client.get(url, {"page": 2}))

    response = client.post(
        reverse("matching:employer_answer", args=[offer.pk, keen.pk]), {"interested": "oui", "page": "2"}
    )
    assert response.url == f"{url}#candidat-{keen.pk}"
    assert "camille@example.org" in text(client.get(response.url))
    response = client.post(reverse("matching:employer_answer", args=[offer.pk, other.pk]), {"interested": "oui"})
    assert response.url == f"{url}?page=2#candidat-{other.pk}"
    response = client.post(
        reverse("matching:employer_outcome", args=[offer.pk, connected[0].pk]), {"state": "pas_de_suite", "page": "2"}
    )
    assert response.url == f"{url}?page=2#candidats"
    response = client.post(reverse("matching:employer_outcome", args=[offer.pk, connected[1].pk]), {"page": "x"})
    assert response.url == f"{url}#candidat-{connected[1].pk}"
