"""Tests navigateur : Chromium de Debian piloté par Playwright, pages vérifiées par axe-core."""

import json
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def _database_before_live_server(transactional_db):
    """La base de test existe avant que `live_server` ne démarre ses fils (sinon ils gardent une connexion
    SQLite ouverte vers une base qui n'existe pas encore)."""


@pytest.fixture(scope="module", autouse=True)
def _close_sqlite_context_connection():
    """SQLite en mémoire : pendant que Playwright tourne, l'ORM des tests ouvre sa propre connexion (stockage
    asgiref par contexte) que Django ne ferme jamais pour une base en mémoire ; on la ferme à la fin du module."""
    from django.db import connections

    before = connections["default"]
    yield
    after = connections["default"]
    if after is not before and after.vendor == "sqlite" and after.connection is not None:
        after.connection.close()
        after.connection = None


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium introuvable ({CHROMIUM}) : installez le paquet Debian chromium.")
    # Playwright (API synchrone) tourne dans une boucle asyncio ; les requêtes ORM des tests restent synchrones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def _page(browser, viewport):
    """Une page neuve ; à la fin du test, aucune violation de la Content-Security-Policy n'est tolérée."""
    context = browser.new_context(viewport=viewport, locale="fr-FR")
    page = context.new_page()
    csp_errors = []
    page.on(
        "console",
        lambda message: csp_errors.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield page
    context.close()
    assert csp_errors == [], csp_errors


@pytest.fixture
def phone_page(browser):
    yield from _page(browser, PHONE)


@pytest.fixture
def desktop_page(browser):
    yield from _page(browser, DESKTOP)


def axe_violations(page) -> list[dict]:
    """Lance axe-core (règles WCAG 2.1 A et AA) sur la page ; renvoie les violations, résumées."""
    # Évalué par le protocole de débogage, axe-core n'est pas un script de la page : la CSP reste entière.
    page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


THEMES = ("light", "dark")


def set_theme(page, theme: str):
    """Le thème que choisirait « Paramètres d'affichage » (attribut lu par les variables CSS du DSFR)."""
    page.evaluate(
        "(theme) => { document.documentElement.setAttribute('data-fr-theme', theme);"
        " document.documentElement.setAttribute('data-fr-scheme', theme); }",
        theme,
    )


def assert_accessible(page):
    """0 violation axe-core, en thème clair puis en thème sombre (la page revient ensuite au clair)."""
    found = {}
    for theme in THEMES:
        set_theme(page, theme)
        if violations := axe_violations(page):
            found[theme] = violations
    set_theme(page, "light")
    assert found == {}, json.dumps(found, indent=2, ensure_ascii=False)


def assert_fits_width(page):
    """Rien ne déborde horizontalement (pas de défilement latéral sur téléphone)."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"La page déborde de {overflow} px"
