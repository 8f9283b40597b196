import datetime

import pytest
from django.utils import timezone

from core import scheduler
from core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_healthz_answers_503_while_no_worker_was_ever_seen(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "erreur", "database": "ok", "worker": "arrêté", "worker_last_seen": None}


def test_healthz_reports_a_live_worker(client):
    scheduler.beat("worker-1")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["worker"] == "ok"


def test_healthz_answers_503_when_the_worker_is_silent_for_five_minutes(client):
    heartbeat = WorkerHeartbeat.objects.create(
        worker_id="old", seen_at=timezone.now() - datetime.timedelta(minutes=4, seconds=50)
    )
    assert client.get("/healthz").status_code == 200
    heartbeat.seen_at = timezone.now() - datetime.timedelta(minutes=5, seconds=1)
    heartbeat.save()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "arrêté"


def test_healthz_costs_one_query(client, django_assert_num_queries):
    scheduler.beat("worker-1")
    with django_assert_num_queries(1):
        assert client.get("/healthz").status_code == 200


def test_heartbeats_of_long_stopped_workers_are_pruned():
    WorkerHeartbeat.objects.create(worker_id="stopped", seen_at=timezone.now() - datetime.timedelta(days=2))
    scheduler.beat("worker-1")
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["worker-1"]


def test_home_page_sends_each_side_to_its_sign_up(client):
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'href="/candidat/inscription"' in content
    assert 'href="/employeur/inscription"' in content
    for footer_link in (
        "Accessibilité : partiellement conforme",
        "Mentions légales",
        "Données personnelles",
        "Plan du site",
    ):
        assert footer_link in content


def test_client_ip_behind_a_trusted_proxy(rf, settings):
    from core.ratelimit import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "10.0.0.1"
    settings.RATELIMIT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request) == "203.0.113.7"
