import datetime
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.enums import Role
from privacy import retention, selectors, services
from privacy.accessibility import page_weights, rgaa_audit
from privacy.forms import AccountDeleteForm
from privacy.processings import PROCESSINGS

# Plan du site : (titre de la section, [(libellé, nom d'URL)]). Les pages pas encore construites sont omises.
SITEMAP = [
    (
        "Pour tout le monde",
        [
            ("Accueil", "core:home"),
            ("Se connecter", "accounts:login"),
            ("Statistiques", "stats:index"),
        ],
    ),
    (
        "Jeunes qui cherchent un employeur",
        [("S'inscrire", "candidates:signup"), ("Mon espace candidat·e", "matching:candidate_home")],
    ),
    (
        "Employeurs qui recrutent",
        [("S'inscrire", "employers:signup"), ("Mon espace employeur", "matching:employer_home")],
    ),
    ("Conseillers et conseillères CMA", [("Espace conseiller·e", "backoffice:home")]),
    (
        "Informations",
        [
            ("Mes données", "privacy:my_data"),
            ("Données personnelles", "privacy:personal_data"),
            ("Mentions légales", "privacy:legal_notice"),
            ("Accessibilité : non conforme", "privacy:accessibility"),
            ("Plan du site", "privacy:sitemap"),
        ],
    ),
]


def display(value) -> str:
    """Une valeur lisible par tout le monde : dates en français, Oui/Non, listes séparées par des virgules."""
    if value is None or value in ("", []):
        return "Non renseigné"
    if value is True:
        return "Oui"
    if value is False:
        return "Non"
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j F Y à H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def rows(mapping: dict) -> list[tuple[str, str]]:
    return [(str(label)[:1].upper() + str(label)[1:], display(value)) for label, value in mapping.items()]


def _reverse_or_none(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@never_cache
@login_required
def my_data(request):
    data = selectors.personal_data(request.user)
    profile = data["profil candidat·e"]
    context = {
        "title": "Mes données",
        "account_rows": rows(data["compte"]),
        "links_count": data["liens de connexion"]["nombre"],
        "links_used": data["liens de connexion"]["utilisés"],
        "emails": [
            {"subject": e["objet"], "date": display(e["date"]), "sent": e["envoyé"]} for e in data["e-mails envoyés"]
        ],
        "franceconnect_rows": rows(data["identité FranceConnect"]) if data["identité FranceConnect"] else None,
        "advisor_rows": rows(data["conseiller·e"]) if data["conseiller·e"] else None,
        "profile_rows": rows({k: v for k, v in profile.items() if k != "mises en relation"}) if profile else None,
        "matches": [
            {"company": m["entreprise"], "trade": m["métier"], "state": m["état"], "date": display(m["créée le"])}
            for m in (profile["mises en relation"] if profile else [])
        ],
        "companies": [
            {
                "rows": rows({k: v for k, v in company.items() if k != "offres"}),
                "offers": [
                    {
                        "number": o["numéro"],
                        "trade": o["métier"],
                        "state": o["état"],
                        "date": display(o["créée le"]),
                        "matches": len(o["mises en relation"]),
                    }
                    for o in company["offres"]
                ],
            }
            for company in data["entreprises"]
        ],
    }
    return render(request, "privacy/my_data.html", context)


@never_cache
@login_required
@require_GET
def my_data_export(request):
    data = selectors.personal_data(request.user)
    data["exporté le"] = timezone.now().isoformat()
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="mes-donnees-{timezone.localdate():%Y-%m-%d}.json"'
    return response


@never_cache
@login_required
def account_delete(request):
    tu = request.user.role == Role.CANDIDATE
    form = AccountDeleteForm(request.POST or None, tu=tu)
    if request.method == "POST" and form.is_valid():
        services.account_delete(user=request.user)
        logout(request)
        messages.success(
            request,
            "Ton compte est supprimé. Tes données personnelles sont effacées."
            if tu
            else "Votre compte est supprimé. Vos données personnelles sont effacées.",
        )
        return redirect("core:home")
    return render(request, "privacy/account_delete.html", {"title": "Supprimer mon compte", "form": form})


def _operator_context(title: str, **extra) -> dict:
    return {
        "title": title,
        "OPERATOR_NAME": settings.OPERATOR_NAME,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        "DPO_EMAIL": settings.DPO_EMAIL,
        "SECURITY_CONTACT_EMAIL": settings.SECURITY_CONTACT_EMAIL,
        "HOSTING_PROVIDER": settings.HOSTING_PROVIDER,
        **extra,
    }


def personal_data(request):
    context = _operator_context(
        "Données personnelles", durations=retention.DURATIONS_FOR_HUMANS, processings=PROCESSINGS
    )
    return render(request, "privacy/personal_data.html", context)


def legal_notice(request):
    return render(request, "privacy/legal_notice.html", _operator_context("Mentions légales"))


def accessibility(request):
    context = _operator_context("Accessibilité")
    context.update(audit=rgaa_audit(), page_weights=page_weights())
    return render(request, "privacy/accessibility.html", context)


def sitemap(request):
    sections = []
    for heading, entries in SITEMAP:
        links = [(label, url) for label, name in entries if (url := _reverse_or_none(name))]
        if links:
            sections.append((heading, links))
    return render(request, "privacy/sitemap.html", {"title": "Plan du site", "sections": sections})


def security_txt(request):
    """RFC 9116 : comment signaler une faille. Expires : dans moins d'un an, recalculé à chaque appel."""
    expires = (timezone.now() + datetime.timedelta(days=180)).replace(microsecond=0)
    lines = [
        f"Contact: mailto:{settings.SECURITY_CONTACT_EMAIL}",
        f"Expires: {expires.astimezone(datetime.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: fr, en",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
        f"Policy: {settings.SITE_URL}{reverse('privacy:legal_notice')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
