import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import User
from backoffice.models import AssistedSignup, AuditLog
from candidates.enums import SearchStatus
from candidates.models import CandidateProfile
from employers.models import Company
from matching.enums import MatchState
from matching.models import Match
from notifications.models import OutboxEmail
from offers.enums import OfferStatus
from offers.models import Offer
from tests.accounts.factories import UserFactory
from tests.backoffice.factories import MatchFactory
from tests.candidates.factories import CandidateProfileFactory, TradeFactory
from tests.geo.factories import CommuneFactory, DepartementFactory
from tests.offers.factories import CompanyFactory, OfferFactory, _siret
from tests.utils import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def arras():
    return CommuneFactory(code="62041", departement=DepartementFactory(code="62"), name="Arras", lat=50.29, lng=2.78)


def _candidate_data(commune, **overrides):
    return {
        "first_name": "Inès",
        "last_name": "Durand",
        "email": "ines@example.org",
        "birth_date": "2009-03-02",
        "commune": commune.code,
        "radius_km": "30",
        "trade": TradeFactory().pk,
        "level": "3",
        "contract_types": ["apprentissage"],
        "available_from": "2027-09-01",
        "consent": "on",
        **overrides,
    }


def test_create_a_profile_needs_consent(advisor_client, arras):
    data = _candidate_data(arras)
    del data["consent"]
    response = advisor_client.post("/conseiller/candidats/nouveau", data)
    assert response.status_code == 200
    assert "Cochez la case : l'accord de la personne est obligatoire." in text(response)
    assert 'value="Inès"' in text(response)  # ce qui a été saisi est réaffiché
    assert not User.objects.filter(email="ines@example.org").exists()


def test_create_a_profile_for_a_young_person(advisor_client, advisor, arras):
    response = advisor_client.post("/conseiller/candidats/nouveau", _candidate_data(arras))
    profile = CandidateProfile.objects.get(user__email="ines@example.org")
    assert response.url == f"/conseiller/candidats/{profile.pk}"
    assert profile.is_complete and profile.commune == arras and profile.level == "3"
    assert [t.code for t in profile.trades.all()] == ["boulanger"]
    signup = AssistedSignup.objects.get(candidate=profile)
    assert signup.advisor == advisor.user and signup.consent_at <= timezone.now()
    assert OutboxEmail.objects.filter(to="ines@example.org", key__startswith="magic-link:").exists()
    entry = AuditLog.objects.get(action="candidat_cree")
    assert entry.object_id == str(profile.pk) and "Durand" not in str(entry.details)


def test_cannot_create_a_profile_outside_the_territory(advisor_client):
    lille = CommuneFactory(code="59350", departement=DepartementFactory(code="59"), name="Lille")
    response = advisor_client.post("/conseiller/candidats/nouveau", _candidate_data(lille))
    assert "Cette commune est hors de votre territoire." in text(response)
    assert not CandidateProfile.objects.exists()


def test_opening_a_profile_is_audited(advisor_client, advisor, arras):
    candidate = CandidateProfileFactory(commune=arras, user__phone="+33611223344")
    response = advisor_client.get(f"/conseiller/candidats/{candidate.pk}")
    assert "06 11 22 33 44" in text(response)  # au format national
    entry = AuditLog.objects.get(action="candidat_consulte")
    assert (entry.actor, entry.object_type, entry.object_id) == (advisor.user, "candidateprofile", str(candidate.pk))


def test_propose_a_pair_by_hand(advisor_client, advisor, arras):
    candidate = CandidateProfileFactory(commune=arras)
    offer = OfferFactory(company=CompanyFactory(commune=arras))
    page = advisor_client.get(f"/conseiller/candidats/{candidate.pk}")
    assert f'name="offer" value="{offer.pk}"' in page.content.decode()
    assert "à moins de 1 km · même métier : Boulanger" in text(page)  # les raisons de la paire
    response = advisor_client.post(f"/conseiller/candidats/{candidate.pk}/proposer", {"offer": offer.pk})
    match = Match.objects.get(candidate=candidate, offer=offer)
    assert response.url == f"/conseiller/mises-en-relation/{match.pk}"
    assert match.proposed_by == advisor.user and match.state == MatchState.PROPOSED
    entry = AuditLog.objects.get(action="paire_proposee", object_id=str(match.pk))
    assert "failed_rules" not in entry.details  # une paire que les règles retiennent : rien à justifier
    detail = advisor_client.get(response.url)
    assert f"à la main, par {advisor.user.get_full_name()}" in text(detail)
    # Les mêmes alertes qu'une paire automatique.
    recipients = set(OutboxEmail.objects.values_list("to", flat=True))
    assert candidate.user.email in recipients


def test_propose_an_offer_outside_the_territory_is_refused(advisor_client, arras):
    candidate = CandidateProfileFactory(commune=arras)
    elsewhere = OfferFactory(company=CompanyFactory(commune=CommuneFactory(departement=DepartementFactory(code="59"))))
    response = advisor_client.post(f"/conseiller/candidats/{candidate.pk}/proposer", {"offer": elsewhere.pk})
    assert response.status_code == 400
    assert "Cette offre n'est pas disponible." in text(response)
    assert not Match.objects.exists()


def test_offers_to_propose_fit_first_closest_first_then_near_misses_with_the_rule(advisor_client, arras):
    candidate = CandidateProfileFactory(commune=arras, radius_km=30)
    near = CommuneFactory(code="62001", departement=arras.departement, name="Achicourt", lat=50.27, lng=2.76)
    far = CommuneFactory(code="62002", departement=arras.departement, name="Calais", lat=50.95, lng=1.86)
    closest = OfferFactory(company=CompanyFactory(commune=arras, name="Fournil Central"))
    second = OfferFactory(company=CompanyFactory(commune=near, name="Fournil du Sud"))
    too_far = OfferFactory(company=CompanyFactory(commune=far, name="Fournil du Port"))
    other_level = OfferFactory(company=CompanyFactory(commune=arras, name="Fournil BTS"), levels=["5"])
    ambulance = OfferFactory(company=CompanyFactory(commune=far), trade=TradeFactory(code="ambulancier"))
    Match.objects.all().delete()  # pas encore de paire automatique (recalcul à venir)
    page = text(advisor_client.get(f"/conseiller/candidats/{candidate.pk}"))
    assert page.index("Fournil Central") < page.index("Fournil du Sud") < page.index("Presque (2)")
    assert page.index("Presque (2)") < page.index("Fournil BTS") < page.index("Fournil du Port")
    assert re.search(r"à 9\d km, au-delà de 30 km", page)
    assert "niveau CAP non demandé (BTS)" in page
    assert "Ambulancier" not in page  # un autre métier, loin : pas proposé
    assert {closest.pk, second.pk, too_far.pk, other_level.pk, ambulance.pk}


def test_forcing_a_pair_that_fails_a_rule_needs_a_reason_which_is_logged(advisor_client, advisor, arras):
    candidate = CandidateProfileFactory(commune=arras, radius_km=30)
    calais = CommuneFactory(code="62193", departement=arras.departement, name="Calais", lat=50.95, lng=1.86)
    offer = OfferFactory(company=CompanyFactory(commune=calais))
    url = f"/conseiller/candidats/{candidate.pk}/proposer"
    response = advisor_client.post(url, {"offer": offer.pk})
    assert response.status_code == 400
    assert re.search(r"Cette offre ne respecte pas toutes les règles \(à 9\d km, au-delà de 30 km\)", text(response))
    assert f'value="{offer.pk}" checked' in response.content.decode()  # le choix est gardé
    assert not Match.objects.exists()

    response = advisor_client.post(url, {"offer": offer.pk, "reason": "trajet_accepte"})
    match = Match.objects.get()
    assert response.url == f"/conseiller/mises-en-relation/{match.pk}"
    entry = AuditLog.objects.get(action="paire_proposee")
    assert entry.details["failed_rules"] == ["is_near"] and entry.details["reason"] == "trajet_accepte"


def test_record_the_outcome_of_a_contact(advisor_client, arras):
    match = MatchFactory(
        candidate=CandidateProfileFactory(commune=arras), state=MatchState.CONNECTED, connected_at=timezone.now()
    )
    advisor_client.post(f"/conseiller/mises-en-relation/{match.pk}/issue", {"state": MatchState.INTERVIEW})
    match.refresh_from_db()
    assert match.state == MatchState.INTERVIEW
    assert AuditLog.objects.get(action="paire_issue").details == {"state": MatchState.INTERVIEW}


def test_withdraw_a_pair_proposed_by_hand(advisor_client, advisor, arras):
    candidate = CandidateProfileFactory(commune=arras)
    offer = OfferFactory(company=CompanyFactory(commune=arras), trade=TradeFactory(code="coiffeur"))
    # Un autre métier que celui du profil : la paire est forcée, avec sa raison.
    advisor_client.post(f"/conseiller/candidats/{candidate.pk}/proposer", {"offer": offer.pk, "reason": "autre"})
    match = Match.objects.get(candidate=candidate, offer=offer)
    url = f"/conseiller/mises-en-relation/{match.pk}"
    assert "Retirer la mise en relation" in text(advisor_client.get(url))
    # Sans la case cochée : rien ne change, le message dit pourquoi.
    response = advisor_client.post(url + "/retrait", {}, follow=True)
    assert "Cochez la case pour confirmer le retrait." in text(response)
    match.refresh_from_db()
    assert match.is_active is True
    assert not AuditLog.objects.filter(action="paire_retiree").exists()
    response = advisor_client.post(url + "/retrait", {"confirm": "on"})
    assert response.url == url
    match.refresh_from_db()
    assert match.is_active is False and match.state == MatchState.PROPOSED
    log = AuditLog.objects.get(action="paire_retiree")
    assert log.actor == advisor.user and log.object_id == str(match.pk)
    page = advisor_client.get(url)
    assert "Mise en relation retirée" in text(page)
    assert "Retirer la mise en relation" not in text(page)


def test_an_automatic_pair_cannot_be_withdrawn(advisor_client, arras):
    match = MatchFactory(candidate=CandidateProfileFactory(commune=arras))
    url = f"/conseiller/mises-en-relation/{match.pk}"
    assert "Retirer la mise en relation" not in text(advisor_client.get(url))
    response = advisor_client.post(url + "/retrait", {"confirm": "on"}, follow=True)
    assert "Seule une mise en relation proposée à la main" in text(response)
    match.refresh_from_db()
    assert match.is_active is True
    assert not AuditLog.objects.filter(action="paire_retiree").exists()


def test_a_pair_outside_the_territory_cannot_be_withdrawn(advisor_client):
    elsewhere = CommuneFactory(departement=DepartementFactory(code="59"))
    match = MatchFactory(
        candidate=CandidateProfileFactory(commune=elsewhere),
        offer=OfferFactory(company=CompanyFactory(commune=elsewhere), commune=elsewhere),
        proposed_by=UserFactory(),
    )
    response = advisor_client.post(f"/conseiller/mises-en-relation/{match.pk}/retrait", {"confirm": "on"})
    assert response.status_code == 404
    match.refresh_from_db()
    assert match.is_active is True


def test_pause_close_and_resume_a_profile(advisor_client, arras):
    candidate = CandidateProfileFactory(commune=arras)
    url = f"/conseiller/candidats/{candidate.pk}"
    response = advisor_client.post(url + "/pause", {"close": "0", "reason": ""})
    assert CandidateProfile.objects.get().status == SearchStatus.SEARCHING
    advisor_client.post(url + "/pause", {"close": "0", "reason": "injoignable"})
    assert CandidateProfile.objects.get().status == SearchStatus.PAUSED
    assert AuditLog.objects.get(action="candidat_pause").details == {"reason": "injoignable"}
    advisor_client.post(url + "/reprise")
    assert CandidateProfile.objects.get().status == SearchStatus.SEARCHING
    response = advisor_client.post(url + "/pause", {"close": "1", "reason": "contrat_trouve"})
    assert response.url == url
    assert CandidateProfile.objects.get().status == SearchStatus.FOUND


def test_create_an_offer_for_a_new_company(advisor_client, advisor, arras):
    trade = TradeFactory()
    data = {
        "siret": "732 829 320 00074",
        "company_name": "Boulangerie du Beffroi",
        "commune": arras.code,
        "trade": trade.pk,
        "levels": ["3", "4"],
        "contract_types": ["apprentissage"],
        "start_date": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
        "positions": "2",
        "description": "Fournil au levain.",
    }
    response = advisor_client.post("/conseiller/offres/nouvelle", data)
    offer = Offer.objects.get()
    assert response.url == f"/conseiller/offres/{offer.pk}"
    assert offer.company.siret == "73282932000074" and offer.company.name == "Boulangerie du Beffroi"
    assert offer.status == OfferStatus.PUBLISHED and offer.levels == ["3", "4"] and offer.positions == 2
    # Le même SIRET : l'entreprise existante est reprise.
    advisor_client.post("/conseiller/offres/nouvelle", {**data, "company_name": ""})
    assert Company.objects.count() == 1 and Offer.objects.count() == 2
    assert AuditLog.objects.filter(action="offre_creee").count() == 2


@pytest.mark.parametrize(
    ("siret", "message"),
    [("123", "Le SIRET 123 doit compter 14 chiffres."), ("73282932000075", "Ce SIRET n'est pas valide")],
)
def test_offer_form_checks_the_siret(advisor_client, arras, siret, message):
    response = advisor_client.post("/conseiller/offres/nouvelle", {"siret": siret, "commune": arras.code})
    assert message in text(response)


def test_a_company_outside_the_territory_cannot_be_used(advisor_client, arras):
    company = CompanyFactory(commune=CommuneFactory(departement=DepartementFactory(code="59")))
    response = advisor_client.post(
        "/conseiller/offres/nouvelle",
        {
            "siret": company.siret,
            "commune": arras.code,
            "trade": TradeFactory().pk,
            "contract_types": ["apprentissage"],
            "positions": "1",
        },
    )
    assert "Cette entreprise est inscrite hors de votre territoire." in text(response)
    assert not Offer.objects.exists()


def test_edit_and_close_an_offer(advisor_client, arras):
    offer = OfferFactory(company=CompanyFactory(commune=arras, siret=_siret(999)))
    response = advisor_client.post(
        f"/conseiller/offres/{offer.pk}/modifier",
        {"commune": arras.code, "trade": offer.trade_id, "contract_types": ["apprentissage"], "positions": "3"},
    )
    assert response.url == f"/conseiller/offres/{offer.pk}"
    offer.refresh_from_db()
    assert offer.positions == 3
    advisor_client.post(f"/conseiller/offres/{offer.pk}/clore", {"reason": "poste_pourvu"})
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ARCHIVED
    assert AuditLog.objects.get(action="offre_close").details == {"reason": "poste_pourvu"}


def test_an_offer_with_many_candidates_is_paged_and_filtered_by_state(advisor_client, arras):
    offer = OfferFactory(company=CompanyFactory(commune=arras))
    for _ in range(27):
        MatchFactory(offer=offer, candidate=CandidateProfileFactory(commune=arras))
    for _ in range(3):
        MatchFactory(offer=offer, candidate=CandidateProfileFactory(commune=arras), state=MatchState.CONNECTED)
    url = f"/conseiller/offres/{offer.pk}"
    page = advisor_client.get(url).content.decode()
    assert "Mises en relation (30)" in page and page.count('href="/conseiller/mises-en-relation/') == 25
    assert "Page suivante" in page and 'class="fr-select' in page
    page = advisor_client.get(url, {"etat": MatchState.CONNECTED}).content.decode()
    assert "Mises en relation (3)" in page and page.count('href="/conseiller/mises-en-relation/') == 3
    assert advisor_client.get(url, {"etat": "inconnu"}).status_code == 200  # un état inconnu : la liste entière
