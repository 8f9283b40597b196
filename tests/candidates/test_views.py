import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import MagicLink, User
from candidates.enums import SearchStatus
from candidates.models import CandidateProfile
from matching import indexes
from matching.models import Match
from notifications.models import OutboxEmail
from tests.accounts.factories import UserFactory
from tests.candidates.factories import CandidateProfileFactory, CommuneFactory, TradeFactory
from tests.offers.factories import OfferFactory
from tests.utils import text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rematches(monkeypatch):
    calls = []
    monkeypatch.setattr("matching.tasks.schedule_rematch_for_candidate", calls.append)
    return calls


def birthday(age):
    today = timezone.localdate()
    return today.replace(year=today.year - age, day=min(today.day, 28)).isoformat()


def test_signup_page_shows_step_1_of_3(client):
    response = client.get("/candidat/inscription")
    assert response.status_code == 200
    assert "Étape 1 sur 3" in text(response)
    assert reverse("candidates:signup") == "/candidat/inscription"


def test_signup_creates_account_and_shows_check_your_emails(client, django_capture_on_commit_callbacks):
    data = {"first_name": "Inès", "last_name": "Martin", "birth_date": birthday(17), "email": "ines@example.org"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/candidat/inscription", data, follow=True)
    assert "Vérifie tes e-mails" in text(response)
    user = User.objects.get(email="ines@example.org")
    assert user.candidate_profile.is_complete is False
    assert MagicLink.objects.get(user=user).next_url == "/candidat/profil/etape-2"


def test_signup_with_registered_email_looks_the_same_and_sends_a_sign_in_link(
    client, django_capture_on_commit_callbacks
):
    existing = CandidateProfileFactory(user__email="deja@example.org")
    data = {"first_name": "Autre", "last_name": "Nom", "birth_date": birthday(20), "email": "deja@example.org"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/candidat/inscription", data, follow=True)
    assert "Vérifie tes e-mails" in text(response)
    existing.user.refresh_from_db()
    assert existing.user.first_name != "Autre"
    assert OutboxEmail.objects.filter(to="deja@example.org").count() == 1
    assert CandidateProfile.objects.count() == 1


def test_signup_errors_are_shown_beside_fields_and_input_kept(client):
    data = {"first_name": "Inès", "last_name": "", "birth_date": birthday(14), "email": "ines@example.org"}
    response = client.post("/candidat/inscription", data)
    assert response.status_code == 200
    content = text(response)
    assert "Indique ton nom." in content
    assert "Il faut avoir au moins 15 ans" in content
    assert 'value="ines@example.org"' in content
    assert not User.objects.exists()


def test_signup_stops_sending_silently_past_the_address_limit(client, django_capture_on_commit_callbacks):
    from accounts.limits import LOGIN_LIMITS_PER_ADDRESS

    data = {"first_name": "A", "last_name": "B", "birth_date": birthday(17), "email": "spam@example.org"}
    limit = LOGIN_LIMITS_PER_ADDRESS[0][0]
    for _ in range(limit + 1):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/candidat/inscription", data)
        assert response.url == "/candidat/inscription/verifiez-vos-emails"
    # Le premier envoi crée le compte ; les suivants envoient un lien de connexion, jusqu'à la limite.
    assert OutboxEmail.objects.filter(to="spam@example.org").count() == limit


def test_candidate_pages_require_login_and_the_candidate_role(client):
    for url in ("/candidat/", "/candidat/profil", "/candidat/profil/etape-2"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/connexion?next=")
    client.force_login(UserFactory(employer=True))
    assert client.get("/candidat/").status_code == 403
    assert client.get("/candidat/profil").status_code == 403
    assert client.post("/candidat/profil/pause").status_code == 403


def test_logged_in_candidate_with_profile_is_sent_home_from_signup(client):
    profile = CandidateProfileFactory()
    client.force_login(profile.user)
    assert client.get("/candidat/inscription").url == "/candidat/"


def test_candidate_without_profile_fills_screen_1_without_email(client):
    user = UserFactory(candidate=True)
    client.force_login(user)
    assert client.get("/candidat/").url == "/candidat/inscription"
    response = client.get("/candidat/inscription")
    assert 'name="email"' not in response.content.decode()
    response = client.post(
        "/candidat/inscription", {"first_name": "Léo", "last_name": "Noir", "birth_date": birthday(18)}
    )
    assert response.url == "/candidat/profil/etape-2"
    assert CandidateProfile.objects.get(user=user).birth_date.isoformat() == birthday(18)


def test_onboarding_screens_2_and_3_complete_the_profile(client, rematches):
    profile = CandidateProfileFactory(incomplete=True)
    commune = CommuneFactory()
    trade = TradeFactory()
    client.force_login(profile.user)
    assert client.get("/candidat/").url == "/candidat/profil/etape-2"
    assert client.get("/candidat/profil/etape-3").url == "/candidat/profil/etape-2"
    response = client.get("/candidat/profil/etape-2")
    assert "Étape 2 sur 3" in text(response)
    assert 'type="radio" name="radius_km" value="30"' in response.content.decode().replace(" checked", "")
    response = client.post(
        "/candidat/profil/etape-2", {"commune": commune.code, "radius_km": "20", "trades": [trade.pk], "level": "3"}
    )
    assert response.url == "/candidat/profil/etape-3"
    assert client.get("/candidat/").url == "/candidat/profil/etape-3"
    response = client.get("/candidat/profil/etape-3")
    assert "Étape 3 sur 3" in text(response)
    year = timezone.localdate().year + 1
    response = client.post(
        "/candidat/profil/etape-3",
        {
            "contract_types": ["apprentissage"],
            "start_month": "9",
            "start_year": str(year),
            "job_seeker": "on",
            "has_training_place": "non",
            "phone": "06 12 34 56 78",
        },
    )
    assert response.url == "/candidat/profil/termine"
    profile.refresh_from_db()
    assert profile.is_complete and profile.available_from == datetime.date(year, 9, 1)
    assert profile.job_seeker  # la question est sur l'écran 3, sans écran de plus
    assert profile.user.phone == "+33612345678"
    assert rematches == [profile]
    response = client.get("/candidat/profil/termine")
    assert "Ton profil est prêt" in text(response)
    assert client.get("/candidat/profil/etape-2").url == "/candidat/profil"
    assert client.get("/candidat/profil/etape-4").status_code == 404


def test_finishing_the_profile_shows_the_first_matches_at_once(client, django_capture_on_commit_callbacks):
    """Sans attendre la tâche de fond : l'accueil qui suit « Terminer mon profil » montre déjà les offres."""
    commune = CommuneFactory()
    trade = TradeFactory()
    offer = OfferFactory(trade=trade, commune=commune, company__commune=commune, company__name="Fournil Martin")
    indexes.offer_index_sync(offer=offer)  # ce que fait la publication
    profile = CandidateProfileFactory(
        incomplete=True, commune=commune, level="3", trades=[trade], birth_date=datetime.date(2008, 1, 1)
    )
    client.force_login(profile.user)
    year = timezone.localdate().year
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/candidat/profil/etape-3",
            {
                "contract_types": ["apprentissage"],
                "start_month": str(timezone.localdate().month),
                "start_year": str(year),
                "has_training_place": "non",
            },
        )
    assert response.status_code == 302, text(response)
    assert Match.objects.filter(candidate=profile, offer=offer, is_active=True).exists()
    page = text(client.get("/candidat/"))
    assert "Fournil Martin" in page and "Pas encore d'offre pour toi" not in page


def test_onboarding_errors_keep_input(client):
    profile = CandidateProfileFactory(incomplete=True)
    client.force_login(profile.user)
    response = client.post("/candidat/profil/etape-2", {"commune": "Zzzzville", "radius_km": "30", "level": "3"})
    content = text(response)
    assert "Commune inconnue" in content
    assert "Choisis au moins un métier." in content
    assert 'value="Zzzzville"' in content


def test_profile_edit_saves_and_rematches(client, rematches):
    profile = CandidateProfileFactory()
    client.force_login(profile.user)
    response = client.get("/candidat/profil")
    assert response.status_code == 200
    assert profile.user.email in text(response)
    data = {
        "first_name": "Nouveau",
        "last_name": profile.user.last_name,
        "birth_date": profile.birth_date.isoformat(),
        "commune": profile.commune.code,
        "radius_km": "50",
        "trades": [t.pk for t in profile.trades.all()],
        "level": "4",
        "contract_types": ["apprentissage", "professionnalisation"],
        "start_month": "10",
        "start_year": str(timezone.localdate().year + 1),
        "has_training_place": "oui",
        "training_centre": "CFA de Lille",
        "presentation": "Je suis ponctuel.",
    }
    response = client.post("/candidat/profil", data)
    assert response.url == "/candidat/profil"
    profile.refresh_from_db()
    assert (profile.user.first_name, profile.radius_km, profile.level) == ("Nouveau", 50, "4")
    assert profile.training_centre == "CFA de Lille"
    assert rematches == [profile]


def test_profile_edit_errors(client):
    profile = CandidateProfileFactory()
    client.force_login(profile.user)
    response = client.post("/candidat/profil", {"presentation": "x" * 501, "phone": "123"})
    content = text(response)
    assert "500 caractères au plus (tu en as écrit 501)." in content
    assert "numéro de téléphone français n'est pas valide" in content


def test_pause_resume_found_contract_and_notifications(client):
    profile = CandidateProfileFactory()
    client.force_login(profile.user)
    assert "Je ne cherche plus pour l'instant" in text(client.get("/candidat/profil"))
    client.post("/candidat/profil/pause")
    profile.refresh_from_db()
    assert profile.status == SearchStatus.PAUSED
    assert "Tu ne reçois plus de nouvelle mise en relation" in text(client.get("/candidat/"))
    client.post("/candidat/profil/reprendre")
    profile.refresh_from_db()
    assert profile.status == SearchStatus.SEARCHING
    response = client.post("/candidat/profil/contrat-trouve", {})
    assert "Réponds oui ou non" in text(response)
    client.post("/candidat/profil/contrat-trouve", {"found_through_service": "oui"})
    profile.refresh_from_db()
    assert profile.status == SearchStatus.FOUND and profile.found_through_service is True
    client.post("/candidat/profil/e-mails", {"frequency": "aucun"})
    profile.refresh_from_db()
    assert profile.notification_frequency == "aucun"


def test_france_connect_identity_is_read_only(client, monkeypatch):
    profile = CandidateProfileFactory()
    monkeypatch.setattr(type(profile.user), "franceconnect_identity", object(), raising=False)
    client.force_login(profile.user)
    response = client.get("/candidat/profil")
    assert "Vérifié par FranceConnect" in text(response)
