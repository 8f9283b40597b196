"""Matrice rôle × URL : chaque URL du projet essayée par chaque rôle ; seules les cases attendues passent.

Une URL absente du tableau EXPECTED fait échouer le test : toute nouvelle URL doit y être déclarée.
Les paramètres des chemins désignent des objets de « candidat », « employeur » et du territoire de
« conseiller » (Pas-de-Calais) ; les « autres » rôles n'en possèdent aucun. « employeur_en_attente » s'est
inscrit avec le SIRET de l'entreprise d'« employeur » : tant que sa demande n'est pas acceptée, il n'en voit
rien (mêmes droits qu'un employeur sans entreprise).
Les URL de l'administration technique (`admin/`) ne sont pas parcourues une à une : on vérifie seulement
que son accueil est introuvable tant que `ADMIN_ENABLED` ne l'allume pas, puis qu'il exige un compte « staff »
(le second facteur exigé en plus : tests/security/test_technical_admin.py).
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.enums import Role
from backoffice.worklists import BOARD_LISTS
from core import scheduler
from matching.models import Match
from partners.models import Widget
from tests.accounts.factories import UserFactory
from tests.backoffice.factories import AdvisorFactory, advisor_login
from tests.candidates.factories import CandidateProfileFactory
from tests.geo.factories import CommuneFactory, DepartementFactory
from tests.offers.factories import CompanyFactory, MembershipFactory, OfferFactory

pytestmark = pytest.mark.django_db

ANON = "anonyme"
CANDIDATE = "candidat"
OTHER_CANDIDATE = "autre_candidat"
EMPLOYER = "employeur"
OTHER_EMPLOYER = "autre_employeur"
PENDING_EMPLOYER = "employeur_en_attente"
ADVISOR = "conseiller"
OTHER_ADVISOR = "conseiller_autre_territoire"
ADMIN = "admin"
ROLES = [ANON, CANDIDATE, OTHER_CANDIDATE, EMPLOYER, OTHER_EMPLOYER, PENDING_EMPLOYER, ADVISOR, OTHER_ADVISOR, ADMIN]

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANON}
CANDIDATES = frozenset({CANDIDATE, OTHER_CANDIDATE})
EMPLOYERS = frozenset({EMPLOYER, OTHER_EMPLOYER, PENDING_EMPLOYER})
BACKOFFICE = frozenset({ADVISOR, OTHER_ADVISOR, ADMIN})
NOBODY = frozenset()

# Qui réussit (réponse 2xx, ou 3xx/400 qui n'est ni un renvoi vers la connexion ni un refus) sur chaque URL.
EXPECTED = {
    # Pages publiques.
    "core:home": EVERYONE,
    "core:healthz": EVERYONE,
    "geo:commune_search": EVERYONE,
    "accounts:login": EVERYONE,
    "accounts:link_sent": EVERYONE,
    "accounts:link_open": EVERYONE,  # jeton invalide : page d'erreur 400 pour tous
    "accounts:link_consume": EVERYONE,  # POST sans jeton : page d'erreur 400 pour tous
    "accounts:logout": EVERYONE,
    "accounts:home": SIGNED_IN,
    "accounts:email_confirm": SIGNED_IN,  # « mon adresse fonctionne » : reprend les envois
    "privacy:personal_data": EVERYONE,
    "privacy:legal_notice": EVERYONE,
    "privacy:accessibility": EVERYONE,
    "privacy:sitemap": EVERYONE,
    "privacy:security_txt": EVERYONE,
    "privacy:my_data": SIGNED_IN,
    "privacy:my_data_export": SIGNED_IN,
    "privacy:account_delete": SIGNED_IN,
    "stats:index": EVERYONE,
    "stats:open_data_csv": EVERYONE,
    "stats:open_data_json": EVERYONE,
    "stats:schema": EVERYONE,
    "partners:offer_detail": EVERYONE,
    "partners:offer_search": EVERYONE,
    "partners:sitemap": EVERYONE,
    "partners:robots": EVERYONE,
    "partners:widget": EVERYONE,
    # FranceConnect et ProConnect ne sont pas configurés dans les tests : 404 pour tous (à revoir quand ils le seront).
    "franceconnect:login": NOBODY,
    "franceconnect:callback": NOBODY,
    "franceconnect:logout": EVERYONE,
    "franceconnect:logout_return": EVERYONE,
    "franceconnect:link_open": EVERYONE,
    "franceconnect:link_confirm": EVERYONE,
    "franceconnect:proconnect_login": NOBODY,
    "franceconnect:proconnect_callback": NOBODY,
    "franceconnect:proconnect_logout": EVERYONE,
    "franceconnect:proconnect_logout_return": EVERYONE,
    # Espace candidat·e.
    "matching:candidate_home": {CANDIDATE, OTHER_CANDIDATE},
    "candidates:signup": {ANON, CANDIDATE, OTHER_CANDIDATE},  # déjà inscrit·e : renvoyé·e vers son espace
    "candidates:signup_sent": EVERYONE,
    "candidates:onboarding": NOBODY,  # étapes d'un profil incomplet ; les profils de la fixture sont complets
    "candidates:done": CANDIDATES,
    "candidates:profile": CANDIDATES,
    "candidates:pause": CANDIDATES,
    "candidates:resume": CANDIDATES,
    "candidates:found_contract": CANDIDATES,
    "candidates:notifications": CANDIDATES,
    "matching:candidate_answer": {CANDIDATE},
    "matching:candidate_report": {CANDIDATE},
    "candidates:status_answer": EVERYONE,  # « je cherche toujours… » : jeton invalide, page d'erreur pour tous
    # « Et maintenant ? » : seulement pour une paire en relation (celle de la fixture ne l'est pas encore).
    "matching:kit": NOBODY,
    "matching:kit_step": NOBODY,
    "matching:kit_signed": NOBODY,
    # E-mails et SMS : liens signés (jeton invalide : page d'erreur pour tous), préférences du compte connecté,
    # accusés de l'opérateur derrière un secret.
    "notifications:unsubscribe": EVERYONE,
    "notifications:preferences": SIGNED_IN,
    "notifications:sms_events": NOBODY,
    "notifications:sms_stop": EVERYONE,
    # Espace employeur.
    "matching:employer_home": EMPLOYERS,
    "employers:signup": EVERYONE,
    "employers:company_lookup": EVERYONE,  # JSON public de l'annuaire (formulaire d'inscription), limité en débit
    "employers:company_add": EMPLOYERS,
    "employers:company_members": {EMPLOYER},
    "employers:member_remove": {EMPLOYER},  # le dernier membre : refusé en mots, rien n'est retiré
    "employers:membership_request": {EMPLOYER},  # la demande d'« employeur_en_attente »
    "offers:create": EMPLOYERS,
    "matching:offer_detail": {EMPLOYER},
    "offers:update": {EMPLOYER},
    "offers:published": {EMPLOYER},
    "offers:transition": {EMPLOYER},
    "matching:employer_answer": {EMPLOYER},
    "matching:employer_outcome": {EMPLOYER},
    # Back-office (conseiller·es : second facteur vérifié ; objets du Pas-de-Calais).
    "backoffice:home": BACKOFFICE,
    "backoffice:enrol": NOBODY,  # second facteur déjà activé : renvoi vers la vérification
    "backoffice:verify": BACKOFFICE,
    "backoffice:board_list": BACKOFFICE,
    "backoffice:candidate_create": BACKOFFICE,
    "backoffice:search": BACKOFFICE,
    "backoffice:candidate": {ADVISOR, ADMIN},
    "backoffice:candidate_propose": {ADVISOR, ADMIN},
    "backoffice:candidate_close": {ADVISOR, ADMIN},
    "backoffice:candidate_resume": {ADVISOR, ADMIN},
    "backoffice:offer_create": BACKOFFICE,
    "backoffice:offer": {ADVISOR, ADMIN},
    "backoffice:offer_edit": {ADVISOR, ADMIN},
    "backoffice:offer_close": {ADVISOR, ADMIN},
    "backoffice:match": {ADVISOR, ADMIN},
    "backoffice:match_outcome": {ADVISOR, ADMIN},
    "backoffice:match_withdraw": {ADVISOR, ADMIN},
    "backoffice:companies_to_verify": BACKOFFICE,
    "backoffice:company": {ADVISOR, ADMIN},
    "backoffice:company_decide": {ADVISOR, ADMIN},
    "backoffice:company_membership_decide": {ADVISOR, ADMIN},
    "backoffice:company_reports_decide": {ADVISOR, ADMIN},
    "backoffice:import": BACKOFFICE,
    "backoffice:import_confirm": BACKOFFICE,
    "backoffice:import_example": BACKOFFICE,
    "backoffice:admin_cmas": {ADMIN},
    "backoffice:admin_advisors": {ADMIN},
    "backoffice:admin_territories": {ADMIN},
    "backoffice:admin_unlock": {ADMIN},
    "backoffice:admin_journal": {ADMIN},
}
# L'API publique (django-ninja) : ouverte à tous (limites de débit à part), sauf ces exceptions.
API_PREFIX = "api/v1/"
API_EXPECTED = EVERYONE
API_EXCEPTIONS = {
    "api:api-root": NOBODY,  # pas de page à la racine (404)
    # "api:offers_export_download" : export quotidien des offres, public (la fixture world en produit un).
}
# Corps des requêtes POST (les vues qui refusent GET) quand un formulaire vide ne suffit pas.
POST_DATA = {"offers:transition": {"action": "publier"}}  # offre déjà publiée : sans effet


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
            yield prefix + str(pattern.pattern), name


def project_urls():
    """Toutes les URL du projet : (modèle de chemin, nom complet), sans l'administration technique."""
    return [(route, name) for route, name in _walk(get_resolver().url_patterns) if not route.startswith("admin/")]


def url_key(route, name):
    return name or route


def expected_for(route, name):
    if route.startswith(API_PREFIX):
        return API_EXCEPTIONS.get(name, API_EXPECTED)
    return EXPECTED.get(url_key(route, name))


@pytest.fixture
def world(settings, tmp_path):
    """Deux de chaque : les objets de « candidat », « employeur » et « conseiller » sont dans le 62."""
    settings.EXPORTS_DIR = tmp_path
    (tmp_path / "offres.jsonl").write_text("{}\n")
    scheduler.beat("worker")  # /healthz répond 503 sans worker en marche
    pas_de_calais = CommuneFactory()
    bouches_du_rhone = CommuneFactory(departement=DepartementFactory(code="13"))
    users = {}
    profile = CandidateProfileFactory(commune=pas_de_calais)
    users[CANDIDATE] = profile.user
    users[OTHER_CANDIDATE] = CandidateProfileFactory(commune=bouches_du_rhone).user
    users[EMPLOYER] = UserFactory(employer=True)
    users[OTHER_EMPLOYER] = UserFactory(employer=True)
    company = CompanyFactory(member=users[EMPLOYER], commune=pas_de_calais)
    offer = OfferFactory(company=company)
    users[PENDING_EMPLOYER] = UserFactory(employer=True)
    pending = MembershipFactory(company=company, user=users[PENDING_EMPLOYER], pending=True)
    OfferFactory(company=CompanyFactory(member=users[OTHER_EMPLOYER], commune=bouches_du_rhone))
    match = Match.objects.create(candidate=profile, offer=offer, distance_km=2)
    advisor = AdvisorFactory(departements=["62"])
    other_advisor = AdvisorFactory(departements=["13"])
    admin = AdvisorFactory(admin=True)
    users.update({ADVISOR: advisor, OTHER_ADVISOR: other_advisor, ADMIN: admin})
    params = {
        "pk": offer.pk,
        "match_id": match.pk,
        "step": 1,
        "token": "jeton-invalide",
        "secret": "secret-invalide",
        "slug": next(iter(BOARD_LISTS)),
    }
    by_url = {
        "backoffice:candidate": {"pk": profile.pk},
        "backoffice:candidate_propose": {"pk": profile.pk},
        "backoffice:candidate_close": {"pk": profile.pk},
        "backoffice:candidate_resume": {"pk": profile.pk},
        "backoffice:match": {"pk": match.pk},
        "backoffice:match_outcome": {"pk": match.pk},
        "backoffice:match_withdraw": {"pk": match.pk},
        "backoffice:admin_territories": {"pk": advisor.pk},
        "backoffice:admin_unlock": {"pk": advisor.pk},
        "employers:company_members": {"pk": company.pk},
        "employers:member_remove": {
            "pk": company.pk,
            "membership_id": company.memberships.get(user=users[EMPLOYER]).pk,
        },
        "employers:membership_request": {"pk": pending.pk},
        "backoffice:company": {"pk": company.pk},
        "backoffice:company_decide": {"pk": company.pk},
        "backoffice:company_membership_decide": {"pk": company.pk, "membership_id": pending.pk},
        "backoffice:company_reports_decide": {"pk": company.pk, "offer_id": offer.pk},
        "partners:widget": {
            "slug": Widget.objects.create(name="CMA", slug="cma", allowed_origins=["https://cma.fr"]).slug
        },
    }
    return {"users": users, "params": params, "by_url": by_url}


def client_for(role, world):
    client = Client()
    if role == ANON:
        return client
    account = world["users"][role]
    if role in BACKOFFICE:
        return advisor_login(client, account)
    client.force_login(account)
    return client


def fill(route, name, world):
    values = {**world["params"], **world["by_url"].get(name, {})}

    def value(match):
        param = match.group("name")
        if param not in values:
            pytest.fail(f"Paramètre « {param} » de {route} : ajoutez-le à la fixture world.")
        return str(values[param])

    return "/" + re.sub(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>", value, route)


LOGIN_PATHS = ("/connexion", "/conseiller/activation", "/conseiller/verification")


def outcome(client, path, post_data=None):
    """'ok' ou 'refus' ; 405 en GET : on essaie en POST (formulaire vide ou POST_DATA)."""
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path, post_data or {})
    status = response.status_code
    if response.streaming:  # fichier servi en flux (export) : on le lit puis on le ferme, sans signal
        b"".join(response.streaming_content)
        for closer in response._resource_closers:
            closer()
    assert status < 500, f"{path} : erreur {status}"
    if status in (401, 403, 404, 405):
        return "refus"
    if 300 <= status < 400:
        location = response["Location"].split("?")[0]
        if location.endswith(LOGIN_PATHS):
            return "refus"
    return "ok"


def test_every_url_is_declared():
    undeclared = [url_key(r, n) for r, n in project_urls() if expected_for(r, n) is None]
    assert undeclared == [], f"URL sans attente dans EXPECTED : {undeclared}"
    stale = (set(EXPECTED) | set(API_EXCEPTIONS)) - {url_key(r, n) for r, n in project_urls()}
    assert stale == set(), f"Attentes d'URL qui n'existent plus : {stale}"


@pytest.mark.parametrize(("route", "name"), project_urls(), ids=[url_key(r, n) for r, n in project_urls()])
def test_access_matrix(route, name, world):
    expected = expected_for(route, name)
    if expected is None:
        pytest.fail(f"{url_key(route, name)} : déclarez qui peut y accéder dans EXPECTED")
    path = fill(route, name, world)
    post_data = POST_DATA.get(name)
    actual = {role for role in ROLES if outcome(client_for(role, world), path, post_data) == "ok"}
    too_open, wrongly_refused = sorted(actual - set(expected)), sorted(set(expected) - actual)
    assert actual == set(expected), f"{path} — ouverts en trop : {too_open} ; refusés à tort : {wrongly_refused}"


def test_technical_admin_requires_staff(world, settings):
    index = reverse("admin:index")
    # Éteinte par défaut (DEBUG désactivé) : introuvable pour tous.
    assert {client_for(role, world).get(index).status_code for role in ROLES} == {404}
    settings.ADMIN_ENABLED = True
    for role in ROLES:
        response = client_for(role, world).get(index)
        if role == ADMIN:
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_roles_cover_every_account_kind():
    assert {Role.CANDIDATE, Role.EMPLOYER, Role.ADVISOR, Role.ADMIN} == set(Role)
