"""Fichiers statiques de production : noms hachés par `collectstatic`, servis par WhiteNoise avec un cache long.

Pour rester rapide, `collectstatic` ne ramasse ici que les fichiers de `core/static`.
"""

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATICFILES_DIRS = [django_settings.BASE_DIR / "core" / "static"]
    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "core.storage.StaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)


def test_hashed_static_files_are_served_with_a_long_cache(production_static):
    url = static("core/site.css")
    assert url.startswith("/static/core/site.") and url.endswith(".css") and url != "/static/core/site.css"
    response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"
    assert response["Content-Type"].startswith("text/css")
    response.close()


def test_production_settings_use_the_manifest(monkeypatch):
    """DEBUG=0 sans autre réglage : manifeste de collectstatic et WhiteNoise sans recherche dans les applications."""
    import importlib

    import config.settings

    monkeypatch.setenv("STATIC_MANIFEST", "")
    monkeypatch.delenv("STATIC_MANIFEST")
    try:
        reloaded = importlib.reload(config.settings)
        assert reloaded.STORAGES["staticfiles"]["BACKEND"] == "core.storage.StaticFilesStorage"  # WhiteNoise, manifeste
        assert reloaded.WHITENOISE_USE_FINDERS is False and reloaded.WHITENOISE_AUTOREFRESH is False
        assert "whitenoise.middleware.WhiteNoiseMiddleware" in reloaded.MIDDLEWARE
    finally:
        monkeypatch.undo()
        importlib.reload(config.settings)
