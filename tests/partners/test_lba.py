"""Diffusion des offres sur La bonne alternance, contre un faux serveur construit d'après son schéma publié."""

import datetime
import os

import pytest
from django.utils import timezone

from offers import services as offer_services
from partners import lba
from partners.enums import LbaStatus
from partners.models import LbaPublication
from partners.tasks import lba_sweep, lba_sync
from tests.lba_fake import FakeLba, validate_job_offer_write
from tests.offers.factories import CompanyFactory, OfferFactory, TradeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake_lba(settings):
    server = FakeLba(api_key="cle-partenaire", port=int(os.environ.get("FAKE_LBA_PORT", "0"))).start()
    settings.LBA_API_URL = server.url
    settings.LBA_API_KEY = "cle-partenaire"
    settings.LBA_API_TIMEOUT = 2
    yield server
    server.stop()


@pytest.fixture
def draft():
    return OfferFactory(draft=True, start_date=datetime.date(2026, 9, 1), levels=["4", "3"], positions=2)


def publish(offer, capture):
    with capture(execute=True):
        offer_services.offer_publish(offer=offer)
    return LbaPublication.objects.get(offer=offer)


def test_published_offer_is_created_once_with_the_mapped_fields(
    fake_lba, draft, django_capture_on_commit_callbacks, settings
):
    publication = publish(draft, django_capture_on_commit_callbacks)
    assert publication.status == LbaStatus.SYNCED
    assert list(fake_lba.offers) == [publication.lba_id]
    sent = fake_lba.offers[publication.lba_id]
    assert validate_job_offer_write(sent) == []
    assert sent["identifier"] == {"partner_job_id": str(draft.pk)}
    assert sent["workplace"]["siret"] == draft.company.siret
    assert sent["contract"] == {"start": "2026-09-01", "type": ["Apprentissage"], "remote": "onsite"}
    assert sent["offer"]["rome_codes"] == ["D1102"]
    assert sent["offer"]["opening_count"] == 2
    assert sent["offer"]["target_diploma"] == {"european": "3"}
    assert sent["offer"]["publication"]["expiration"] == timezone.localdate(draft.expires_at).isoformat()
    assert sent["apply"] == {"url": f"{settings.SITE_URL}/offres/{draft.pk}"}
    assert "Nous cherchons" not in sent["offer"]["description"]  # pas le texte libre de l'employeur
    assert fake_lba.requests == [("POST", "/job/v1/offer")]


def test_changes_update_the_same_offer_then_close_it(fake_lba, draft, django_capture_on_commit_callbacks):
    publication = publish(draft, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        offer_services.offer_update(offer=draft, positions=3)
    assert fake_lba.offers[publication.lba_id]["offer"]["opening_count"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        offer_services.offer_archive(offer=draft)
    closed = fake_lba.offers[publication.lba_id]
    assert closed["offer"]["opening_count"] == 0
    assert closed["offer"]["publication"]["expiration"] == timezone.localdate().isoformat()
    assert len(fake_lba.offers) == 1
    assert [method for method, _path in fake_lba.requests] == ["POST", "PUT", "PUT"]
    publication.refresh_from_db()
    assert (publication.status, publication.is_open, publication.sent_version) == (LbaStatus.SYNCED, False, 3)


def test_filled_offer_is_closed(fake_lba, django_capture_on_commit_callbacks):
    offer = OfferFactory(draft=True, positions=1)
    publication = publish(offer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        offer_services.offer_position_filled(offer=offer)
    assert fake_lba.offers[publication.lba_id]["offer"]["opening_count"] == 0


def test_without_consent_nothing_is_sent_and_withdrawing_it_closes_the_offer(
    fake_lba, django_capture_on_commit_callbacks
):
    refused = OfferFactory(draft=True, lba_consent=False)
    with django_capture_on_commit_callbacks(execute=True):
        offer_services.offer_publish(offer=refused)
    assert not LbaPublication.objects.filter(offer=refused).exists()
    assert fake_lba.requests == []

    offer = OfferFactory(draft=True)
    publication = publish(offer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        offer_services.offer_update(offer=offer, lba_consent=False)
    assert fake_lba.offers[publication.lba_id]["offer"]["opening_count"] == 0


def test_offer_of_an_unverified_company_is_not_sent(fake_lba, django_capture_on_commit_callbacks):
    offer = OfferFactory(draft=True, company=CompanyFactory(unverified=True))
    with django_capture_on_commit_callbacks(execute=True):
        offer_services.offer_publish(offer=offer)
    assert fake_lba.requests == []


def test_temporary_failure_is_retried_later_without_duplicate(fake_lba, draft, django_capture_on_commit_callbacks):
    fake_lba.fail_next(1, status=503)
    publication = publish(draft, django_capture_on_commit_callbacks)
    assert (publication.status, publication.attempts, publication.last_error) == (LbaStatus.PENDING, 1, "HTTP 503")
    assert publication.next_attempt_at > timezone.now()
    assert fake_lba.offers == {}
    assert lba_sweep() == 0  # pas encore l'heure

    LbaPublication.objects.filter(pk=publication.pk).update(next_attempt_at=timezone.now())
    assert lba_sweep() == 1
    assert lba_sweep() == 0  # rien de plus : déjà à jour
    publication.refresh_from_db()
    assert publication.status == LbaStatus.SYNCED
    assert len(fake_lba.offers) == 1
    assert [method for method, _path in fake_lba.requests] == ["POST", "POST"]


def test_network_failure_is_retried(fake_lba, draft, django_capture_on_commit_callbacks, settings):
    settings.LBA_API_URL = "http://127.0.0.1:9"  # rien n'écoute
    publication = publish(draft, django_capture_on_commit_callbacks)
    assert (publication.status, publication.last_error) == (LbaStatus.PENDING, "ConnectError")
    settings.LBA_API_URL = fake_lba.url
    LbaPublication.objects.filter(pk=publication.pk).update(next_attempt_at=timezone.now())
    assert lba_sweep() == 1
    assert len(fake_lba.offers) == 1


def test_refused_request_stops_without_retry(fake_lba, draft, django_capture_on_commit_callbacks, settings):
    settings.LBA_API_KEY = "mauvaise-cle"
    publication = publish(draft, django_capture_on_commit_callbacks)
    assert (publication.status, publication.last_error) == (LbaStatus.FAILED, "HTTP 401")
    LbaPublication.objects.filter(pk=publication.pk).update(next_attempt_at=timezone.now())
    assert lba_sweep() == 0


def test_a_send_is_never_claimed_twice(fake_lba, draft, django_capture_on_commit_callbacks):
    publication = publish(draft, django_capture_on_commit_callbacks)
    # Déjà à jour : un second passage du worker (tâche rejouée) n'envoie rien.
    assert lba_sync(publication.pk) is False
    # Un changement pendant un envoi en cours : pas d'envoi concurrent, la nouvelle version part ensuite.
    LbaPublication.objects.filter(pk=publication.pk).update(status=LbaStatus.SENDING, claimed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        offer_services.offer_update(offer=draft, positions=5)
    assert [method for method, _path in fake_lba.requests] == ["POST"]
    publication.refresh_from_db()
    assert (publication.status, publication.wanted_version) == (LbaStatus.SENDING, 2)
    # Le worker interrompu est repris par le balayage : une mise à jour (PUT), jamais une seconde création.
    LbaPublication.objects.filter(pk=publication.pk).update(claimed_at=timezone.now() - datetime.timedelta(hours=1))
    assert lba_sweep() == 1
    assert [method for method, _path in fake_lba.requests] == ["POST", "PUT"]
    assert fake_lba.offers[publication.lba_id]["offer"]["opening_count"] == 5


def test_a_lost_creation_response_never_creates_a_duplicate(fake_lba, draft):
    """La réponse d'une création perdue (worker tué après l'envoi) : le nouvel essai porte le même
    `partner_job_id`, que La bonne alternance refuse en double ; la diffusion s'arrête, visible, sans doublon."""
    body = lba.job_offer(draft, is_open=True)
    lba.send(body)
    publication = LbaPublication.objects.create(offer=draft)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("partners.services.lba_wanted_open", lambda offer: True)
        assert lba_sync(publication.pk) is False
    publication.refresh_from_db()
    assert (publication.status, publication.last_error) == (LbaStatus.FAILED, "HTTP 409")
    assert len(fake_lba.offers) == 1


def test_disabled_without_api_key(settings, draft, django_capture_on_commit_callbacks):
    settings.LBA_API_KEY = ""
    with django_capture_on_commit_callbacks(execute=True):
        offer_services.offer_publish(offer=draft)
    assert not LbaPublication.objects.exists()


def test_several_levels_send_the_lowest_and_no_level_sends_none(draft):
    assert lba.job_offer(draft, is_open=True)["offer"]["target_diploma"] == {"european": "3"}
    draft.levels = []
    assert lba.job_offer(draft, is_open=True)["offer"]["target_diploma"] is None
    draft.trade = TradeFactory(code="coiffeur", rome_codes=["D1202"])
    assert lba.job_offer(draft, is_open=True)["offer"]["rome_codes"] == ["D1202"]
