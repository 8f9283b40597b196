import json
from pathlib import Path

import httpx
import pytest

SAMPLE = json.loads((Path(__file__).parent / "data" / "recherche_entreprises_search.json").read_text())


@pytest.fixture
def fake_companies_api(monkeypatch):
    """L'API Recherche d'entreprises simulée (httpx.MockTransport) ; `requests` garde les appels."""

    class Fake:
        requests: list[httpx.Request] = []
        mode = "ok"  # "ok", "empty", "error", "timeout"

        def handler(self, request):
            self.requests.append(request)
            if self.mode == "timeout":
                raise httpx.ConnectTimeout("délai dépassé", request=request)
            if self.mode == "error":
                return httpx.Response(503, json={"erreur": "indisponible"})
            if self.mode == "empty":
                return httpx.Response(200, json={"results": [], "total_results": 0, "page": 1, "per_page": 10})
            return httpx.Response(200, json=SAMPLE)

    fake = Fake()
    fake.requests = []
    monkeypatch.setattr("employers.companies_api.default_transport", lambda: httpx.MockTransport(fake.handler))
    return fake
