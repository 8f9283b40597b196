"""L'API contre son document OpenAPI versionné : jamais de 500, des réponses conformes au document."""

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from partners.openapi import COMMITTED_PATH
from tests.geo.factories import CommuneFactory
from tests.offers.factories import OfferFactory, TradeFactory

schema = schemathesis.openapi.from_path(COMMITTED_PATH)
schema.app = application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def keep_test_connection():
    """Comme le client de test de Django : la fin d'une requête WSGI ne ferme pas la connexion du test."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def some_data(db, settings, tmp_path, keep_test_connection):
    settings.API_ANONYMOUS_RATE = 100_000
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.EXPORTS_DIR = tmp_path
    arras = CommuneFactory(code="62041", name="Arras", postal_codes=["62000"], lat=50.29, lng=2.78)
    trade = TradeFactory(code="boulanger", label="Boulanger / Boulangère", rome_codes=["D1102"])
    OfferFactory(company__commune=arras, commune=arras, trade=trade, levels=[])
    OfferFactory(company__commune=arras, commune=arras, trade=trade, levels=["4"], start_date="2027-09-01")


@schema.parametrize()
@hypothesis.settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(hypothesis.HealthCheck),
    database=None,
)
def test_api_conforms_to_its_committed_schema(case, some_data):
    # Le transport WSGI de ce test ne décompresse pas un corps gzip comme le ferait un client HTTP : corps en clair
    # (le flux compressé est vérifié dans tests/partners/test_feed.py).
    case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})
