"""Poids des pages de l'échantillon de l'audit d'accessibilité, mesuré sur un serveur en configuration de
production (`make serve` : DEBUG=0, fichiers statiques hachés et compressés par WhiteNoise) avec les données
de démonstration.

    SECRET_KEY=$(cat var/secret_key) DATABASE_URL=... .venv/bin/python scripts/page_weights.py http://127.0.0.1:8000

Ouvre les sessions des comptes de démonstration (même base, même SECRET_KEY que le serveur), charge chaque page
dans Chromium cache vidé puis cache actif, et écrit le tableau des mesures (Markdown) sur la sortie standard.
La mesure elle-même est celle du test navigateur (tests/browser/test_page_weight.py).
"""

import os
import sys
from pathlib import Path

import pyotp
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402

from accounts.models import User  # noqa: E402
from demo.services import DEMO_ADVISOR_EMAIL, DEMO_CANDIDATE_EMAIL, DEMO_EMPLOYER_EMAIL  # noqa: E402
from offers.models import Offer  # noqa: E402
from tests.browser.page_weight import (  # noqa: E402
    CHROMIUM,
    FIRST_VISIT_BUDGET,
    NEXT_VISIT_BUDGET,
    measure_pages,
    open_session,
    table,
)


def main(base_url: str) -> None:
    offer = Offer.objects.published().filter(company__memberships__user__email=DEMO_EMPLOYER_EMAIL).first()
    # Le tableau de bord demande un second facteur activé : le temps de la mesure, celui du conseiller de
    # démonstration l'est (puis remis comme avant, à activer).
    advisor = User.objects.get(email=DEMO_ADVISOR_EMAIL).advisor_profile
    enrolled = (advisor.totp_confirmed, advisor.totp_secret)
    if not advisor.totp_confirmed:
        advisor.set_totp_secret(pyotp.random_base32())
        advisor.totp_confirmed = True
        advisor.save(update_fields=["totp_secret", "totp_confirmed"])
    try:
        rows = _measure(base_url, offer)
    finally:
        advisor.totp_confirmed, advisor.totp_secret = enrolled
        advisor.save(update_fields=["totp_secret", "totp_confirmed"])
    print(table(rows))
    over = [
        label
        for label, _path, (first_bytes, _), (next_bytes, _) in rows
        if first_bytes >= FIRST_VISIT_BUDGET or next_bytes >= NEXT_VISIT_BUDGET
    ]
    if over:
        sys.exit(f"Au-delà du budget (500 Ko, puis 50 Ko) : {', '.join(over)}")


def _measure(base_url: str, offer) -> list[tuple]:
    sessions = {
        "candidate": open_session(User.objects.get(email=DEMO_CANDIDATE_EMAIL)),
        "employer": open_session(User.objects.get(email=DEMO_EMPLOYER_EMAIL)),
        "advisor": open_session(User.objects.get(email=DEMO_ADVISOR_EMAIL), verified=True),
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        rows = measure_pages(browser, base_url, sessions, offer_id=offer.pk, cookie_name=settings.SESSION_COOKIE_NAME)
        browser.close()
    return rows


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
