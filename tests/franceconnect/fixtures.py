"""Le fournisseur OpenID Connect de test (oidc-provider sous Node), configuré comme FranceConnect v2 ou comme
ProConnect."""

import dataclasses
import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from joserfc.jwk import ECKey

ROOT = Path(__file__).resolve().parents[2]
SERVER_JS = Path(__file__).resolve().parent / "provider" / "server.js"
CLIENT_ID = "cestmachance-test"
CLIENT_SECRET = "secret-du-client-de-test-" + "x" * 32

# Le compte statique de tests/franceconnect/provider/server.js.
ACCOUNT_LOGIN = "camille"
ACCOUNT_PASSWORD = "motdepasse-de-test"
ACCOUNT_SUB = "b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1"
ACCOUNT_EMAIL = "camille.martin@example.org"

# Les comptes ProConnect de test (passés au fournisseur en JSON) : une artisane dont l'organisation a un
# SIRET (clé de Luhn juste), et un professionnel sans SIRET transmis.
PC_PASSWORD = "motdepasse-proconnect"
PC_SIRET = "73282932000074"
PC_ACCOUNT_WITH_SIRET = {
    "login": "dominique",
    "password": PC_PASSWORD,
    "sub": "7f1c0b6e-4a7e-4a53-9f0a-0d3c2f6b5e11",
    "claims": {
        "email": "dominique.lefebvre@boulangerie-test.example",
        "given_name": "Dominique",
        "usual_name": "LEFEBVRE",
        "siret": PC_SIRET,
    },
}
PC_ACCOUNT_WITHOUT_SIRET = {
    "login": "alex",
    "password": PC_PASSWORD,
    "sub": "0b9a6c7d-2e51-4b8f-8d1e-5a4c3b2a1f00",
    "claims": {"email": "alex.moreau@cma-test.example", "given_name": "Alex", "usual_name": "MOREAU"},
}


@dataclasses.dataclass
class Provider:
    base_url: str
    signing_key: ECKey
    process: subprocess.Popen


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_provider(*, kid: str, extra_env: dict):
    """Démarre `node server.js` sur 127.0.0.1 et un port libre ; attend la découverte ; l'arrête à la fin."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").exists():
        pytest.fail("Node ou oidc-provider manquant : lancez `make node_modules/.installed` (npm ci).")
    port = _free_port()
    key = ECKey.generate_key("P-256", parameters={"kid": kid, "alg": "ES256", "use": "sig"}, private=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PORT": str(port),
        "FC_TEST_CLIENT_ID": CLIENT_ID,
        "FC_TEST_CLIENT_SECRET": CLIENT_SECRET,
        "FC_TEST_SIGNING_JWK": json.dumps(key.as_dict(private=True)),
        "FC_TEST_SITE_URLS": "http://testserver,http://localhost",
        "NODE_ENV": "test",
        **extra_env,
    }
    process = subprocess.Popen(
        [node, str(SERVER_JS)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace")
                pytest.fail(f"Le fournisseur de test s'est arrêté :\n{output}")
            try:
                if httpx.get(f"{base_url}/.well-known/openid-configuration", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("Le fournisseur de test ne répond pas après 30 secondes.")
            time.sleep(0.1)
        yield Provider(base_url=base_url, signing_key=key, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


@pytest.fixture(scope="session")
def fc_provider():
    """Le fournisseur de test configuré comme FranceConnect v2."""
    yield from _start_provider(kid="cle-fc-test-1", extra_env={})


@pytest.fixture(scope="session")
def pc_provider():
    """Le fournisseur de test configuré comme ProConnect (userinfo en JWT signé, `usual_name`, `siret`)."""
    yield from _start_provider(
        kid="cle-pc-test-1",
        extra_env={
            "OIDC_TEST_PROFILE": "proconnect",
            "OIDC_TEST_ACCOUNTS": json.dumps([PC_ACCOUNT_WITH_SIRET, PC_ACCOUNT_WITHOUT_SIRET]),
        },
    )


@pytest.fixture
def fc_settings(settings, fc_provider):
    """FranceConnect configuré vers le fournisseur de test."""
    settings.FRANCECONNECT_BASE_URL = fc_provider.base_url
    settings.FRANCECONNECT_CLIENT_ID = CLIENT_ID
    settings.FRANCECONNECT_CLIENT_SECRET = CLIENT_SECRET
    # Comme config/settings.py quand FRANCECONNECT_BASE_URL est réglé au démarrage.
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "form-action": [*settings.SECURE_CSP["form-action"], fc_provider.base_url],
    }
    return settings


@pytest.fixture
def pc_settings(settings, pc_provider):
    """ProConnect configuré vers le fournisseur de test."""
    settings.PROCONNECT_BASE_URL = pc_provider.base_url
    settings.PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    # Comme config/settings.py quand PROCONNECT_BASE_URL est réglé au démarrage.
    settings.SECURE_CSP = {
        **settings.SECURE_CSP,
        "form-action": [*settings.SECURE_CSP["form-action"], pc_provider.base_url],
    }
    return settings


def form_action(html: str, base_url: str) -> str:
    match = re.search(r'<form[^>]* action="([^"]+)"', html)
    assert match, html
    return urljoin(base_url, match.group(1))


def provider_authorize(
    authorize_url: str,
    *,
    abort: bool = False,
    browser: httpx.Client | None = None,
    login: str = ACCOUNT_LOGIN,
    password: str = ACCOUNT_PASSWORD,
) -> dict:
    """Parcourt les pages du fournisseur comme une personne (identification puis consentement, ou annulation)
    et renvoie les paramètres du retour vers le service (`code` et `state`, ou `error`).

    `browser` garde les cookies du fournisseur (sa session) d'un appel à l'autre."""
    if browser is None:
        with httpx.Client(timeout=10) as browser:
            return provider_authorize(authorize_url, abort=abort, browser=browser, login=login, password=password)
    response = browser.get(authorize_url)
    for _ in range(10):
        if response.is_redirect:
            location = urljoin(str(response.url), response.headers["location"])
            if re.search(r"/(franceconnect|proconnect)/callback\?", location):
                return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
            response = browser.get(location)
        elif abort:
            response = browser.get(urljoin(str(response.url), re.search(r'href="([^"]+/abort)"', response.text)[1]))
        elif 'name="password"' in response.text:
            response = browser.post(
                form_action(response.text, str(response.url)),
                data={"login": login, "password": password},
            )
        else:
            assert "Transmettre vos informations" in response.text, response.text
            response = browser.post(form_action(response.text, str(response.url)))
    raise AssertionError("Le fournisseur n'a pas renvoyé vers le service.")
