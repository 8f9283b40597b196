"""Tests navigateur : Chromium de Debian piloté par Playwright, pages vérifiées par axe-core."""

import json
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


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


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Lance axe-core (règles WCAG 2.1 A et AA) sur la page ; renvoie les violations, résumées."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_accessible(page):
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2, ensure_ascii=False)


def assert_fits_width(page):
    """Rien ne déborde horizontalement (pas de défilement latéral sur téléphone)."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"La page déborde de {overflow} px"
