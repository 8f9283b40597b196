import httpx
import pytest
from django.core.cache import cache

from geo.distance import commune_index_clear

# Le membre connecté et son entreprise des pages de l'employeur (tests des offres et de la mise en relation).
pytest_plugins = ["tests.offers.employer_space"]


@pytest.fixture(autouse=True)
def _clean_cache():
    """Chaque test part d'un cache vide (limites de débit) et d'un index des communes à reconstruire."""
    cache.clear()
    commune_index_clear()
    yield
    cache.clear()
    commune_index_clear()


@pytest.fixture(autouse=True)
def _companies_directory_unreachable(monkeypatch):
    """Aucun test n'appelle la vraie API Recherche d'entreprises : sans `fake_companies_api`, elle est
    injoignable (l'inscription continue, l'entreprise est « à vérifier »)."""

    def unreachable(request):
        raise httpx.ConnectError("annuaire injoignable dans les tests", request=request)

    monkeypatch.setattr("employers.companies_api.default_transport", lambda: httpx.MockTransport(unreachable))


@pytest.fixture
def smtp_server(settings):
    """Un vrai serveur SMTP local ; l'outbox lui parle (backend SMTP de Django, délai de 2 s)."""
    from tests.smtpserver import SmtpServer

    server = SmtpServer().start()
    backend = "django.core.mail.backends.smtp.EmailBackend"
    settings.MAILERS = {"default": {"BACKEND": backend, "OPTIONS": server.mailer_options(timeout=2)}}
    yield server
    server.stop()


@pytest.fixture
def smtp_server_tls(settings, tmp_path, monkeypatch):
    """Le même serveur, qui exige STARTTLS avec un certificat auto-signé auquel le client fait confiance."""
    from tests.smtpserver import SmtpServer, self_signed_certificate, server_tls_context

    cert, key = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # lu par ssl.create_default_context() du client
    server = SmtpServer(tls_context=server_tls_context(cert, key)).start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": server.mailer_options(timeout=2, use_tls=True),
        }
    }
    yield server
    server.stop()


@pytest.fixture
def sms_server(settings):
    """Un faux serveur local de l'API SMS de Brevo ; l'outbox des SMS lui parle."""
    from tests.fakesms import FakeBrevoSms

    server = FakeBrevoSms().start()
    settings.SMS_API_URL = server.url
    settings.SMS_API_KEY = "cle-de-test"
    settings.SMS_API_TIMEOUT = 1
    settings.SMS_WEBHOOK_SECRET = "secret-des-evenements"
    yield server
    server.stop()
