"""Mesure du poids transféré et du nombre de requêtes d'une page dans Chromium (protocole de débogage).

Le poids est celui qui passe sur le réseau (`encodedDataLength` : en-têtes et corps, compressés s'ils le sont),
cache vidé (première visite) puis cache actif (visite suivante). Utilisé par tests/browser/test_page_weight.py et
par scripts/page_weights.py (serveur en configuration de production)."""

import os

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FIRST_VISIT_BUDGET = 500 * 1024
NEXT_VISIT_BUDGET = 50 * 1024


def sample_pages(offer_id: int) -> list[tuple[str, str, str | None]]:
    """Les pages de l'échantillon de l'audit (docs/accessibilite/) : (nom, adresse, session à ouvrir)."""
    return [
        ("Accueil", "/", None),
        ("Inscription candidat·e", "/candidat/inscription", None),
        ("Espace candidat·e", "/candidat/", "candidate"),
        ("Formulaire d'offre", "/employeur/offres/nouvelle", "employer"),
        ("Page d'une offre", f"/offres/{offer_id}", None),
        ("Tableau de bord conseiller·e", "/conseiller/", "advisor"),
        ("Statistiques", "/stats", None),
        ("Mentions légales", "/mentions-legales", None),
        ("Déclaration d'accessibilité", "/accessibilite", None),
        ("Données personnelles", "/donnees-personnelles", None),
    ]


def open_session(user, *, verified: bool = False) -> str:
    """Une session ouverte pour `user` (second facteur déjà vérifié si `verified`) ; renvoie sa clé."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from backoffice.scope import SESSION_VERIFIED_KEY

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if verified:
        session[SESSION_VERIFIED_KEY] = user.pk
    session.save()
    return session.session_key


def measure(page, url: str, *, cache: bool) -> tuple[int, int]:
    """(octets transférés, requêtes) pour charger `url`, cache du navigateur actif ou non."""
    client = page.context.new_cdp_session(page)
    client.send("Network.enable")
    client.send("Network.setCacheDisabled", {"cacheDisabled": not cache})
    sizes: dict[str, int] = {}
    requests: set[str] = set()
    client.on("Network.requestWillBeSent", lambda event: requests.add(event["requestId"]))
    client.on(
        "Network.loadingFinished", lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"])
    )
    page.goto(url, wait_until="networkidle")
    client.detach()
    return sum(sizes.values()), len(requests)


def measure_pages(browser, base_url: str, sessions: dict, *, offer_id: int, cookie_name: str) -> list[tuple]:
    """Chaque page de l'échantillon : (nom, adresse, (octets, requêtes) première visite, idem visite suivante)."""
    rows = []
    for label, path, who in sample_pages(offer_id):
        context = browser.new_context(viewport={"width": 375, "height": 812}, locale="fr-FR")
        if who:
            context.add_cookies([{"name": cookie_name, "value": sessions[who], "url": base_url}])
        page = context.new_page()
        first = measure(page, base_url + path, cache=False)
        if not page.url.endswith(path):
            raise AssertionError(f"{label} : redirigé vers {page.url}")
        following = measure(page, base_url + path, cache=True)
        context.close()
        rows.append((label, path, first, following))
    return rows


def table(rows) -> str:
    lines = [
        "| Page | Adresse | Première visite | Requêtes | Visite suivante | Requêtes |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for label, path, (first_bytes, first_count), (next_bytes, next_count) in rows:
        first_kb, next_kb = f"{first_bytes / 1024:.1f} Ko", f"{next_bytes / 1024:.1f} Ko"
        lines.append(f"| {label} | `{path}` | {first_kb} | {first_count} | {next_kb} | {next_count} |")
    return "\n".join(lines)
