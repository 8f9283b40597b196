"""Délai maximal des requêtes SQL du site web (PostgreSQL) ; le worker n'est pas concerné."""

import os
import subprocess
import sys

import pytest
from django.db import OperationalError, connection
from django.test import Client

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.security.urls_sql"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL seulement"),
]


@pytest.fixture
def fresh_web_connection(settings):
    """Le site web ouvre une nouvelle connexion : c'est là que le délai est posé."""
    settings.DATABASE_STATEMENT_TIMEOUT_MS = 300
    connection.close()
    yield
    connection.close()  # la connexion suivante repart sans délai posé par ce test


def test_web_requests_get_the_timeout(fresh_web_connection):
    client = Client()
    assert client.get("/timeout").content == b"300ms"


def test_a_slow_query_is_cancelled(fresh_web_connection):
    client = Client()
    with pytest.raises(OperationalError, match="statement timeout"):
        client.get("/slow?s=3")


def test_a_quick_query_still_answers(fresh_web_connection):
    assert Client().get("/slow?s=0").content == b"fini"


def test_the_worker_process_has_no_timeout():
    """Un processus qui ne charge pas les middlewares (le worker) garde ses requêtes longues."""
    settings_dict = connection.settings_dict
    url = f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
    code = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('SHOW statement_timeout'); print(c.fetchone()[0])"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0"
