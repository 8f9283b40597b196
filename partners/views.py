"""Pages publiques, sans compte : la recherche d'offres, la page d'une offre, et ce que lisent les moteurs de
recherche (plan du site, robots.txt). Aucune donnée personnelle."""

import hashlib
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from core.cache import shared_value
from geo.distance import communes_version
from matching import public_search
from offers.selectors import offer_payload, offers_version, public_offers
from partners import maps, seo
from partners.forms import OfferSearchForm
from partners.models import Widget
from partners.openapi import openapi_schema
from partners.selectors import public_offer_or_gone, search_cards

RESULTS_PER_PAGE = 10
MAP_MAX_POINTS = 500  # au-delà, la carte ne montrerait qu'une tache : seules les plus proches y sont
SEARCH_PARAMETERS = ("commune", "rayon", "famille", "metier", "niveau")
# Les parties des pages publiques qui sont les mêmes pour tous sont gardées en cache sous la version des offres
# (et celle des communes pour la recherche) ; la durée borne ce qui change sans passer par une offre (nom d'une
# entreprise, libellé d'un métier, montants légaux).
PUBLIC_CACHE_SECONDS = 5 * 60


def run_search(form: OfferSearchForm, page_number, *, absolute_links: bool = False) -> dict:
    """Les résultats d'une recherche valide : la page demandée, ses cartes et la carte ; Http404 si la page
    n'existe pas. `absolute_links` : liens vers le site complet (module intégré chez un partenaire)."""
    site = settings.SITE_URL if absolute_links else ""
    data = form.cleaned_data
    commune = data["commune"]
    if form.data.get("commune", "").strip() == commune.code:  # adresse partagée : le nom plutôt que le code
        form.data = form.data.copy()
        form.data["commune"] = commune.label
    trade_ids = form.trade_ids()
    found = public_search.public_offer_search(
        commune.code, data["rayon"], trade_ids=trade_ids, level=data.get("niveau") or ""
    )
    paginator = Paginator(found, RESULTS_PER_PAGE)
    try:
        page = paginator.page(page_number or 1)
    except (EmptyPage, PageNotAnInteger) as error:
        if not found and str(page_number or "1") == "1":
            page = None
        else:
            raise Http404(
                f"Cette page de résultats n'existe pas : il y en a {paginator.num_pages}. "
                "Reviens à la première page de la recherche."
            ) from error
    first = page.start_index() if page else 1
    cards = search_cards(
        list(page.object_list) if page else [],
        first_number=first,
        trade_searched=trade_ids is not None,
        level=data.get("niveau") or "",
    )
    query = form.query()
    for card in cards:
        card.url = f"{site}{reverse('partners:offer_detail', kwargs={'pk': card.offer.pk})}?{urlencode(query)}"
        card.signup_url = site + signup_url(query, trade_code=card.offer.trade.code)
    numbers = {card.offer.pk: card.number for card in cards}
    labels = {card.offer.pk: f"{card.offer.trade.label}, {card.offer.commune.name}" for card in cards}
    drawing = maps.results_map(
        origin_code=commune.code,
        radius_km=data["rayon"],
        found=found[:MAP_MAX_POINTS],
        page_numbers=numbers,
        labels=labels,
    )
    return {
        "commune": commune,
        "radius_km": data["rayon"],
        "count": len(found),
        "page": page,
        "cards": cards,
        "map": drawing,
        "map_truncated": len(found) > MAP_MAX_POINTS,
        "map_max_points": MAP_MAX_POINTS,
        "query": urlencode(query),
        "signup_url": site + signup_url(query),
    }


def signup_url(query: dict, *, trade_code: str = "") -> str:
    """L'inscription avec la recherche pré-remplie (commune, rayon, métier, niveau) : l'écran « Où et quoi » ne
    demande plus que ce qui manque."""
    params = {name: query[name] for name in ("commune", "rayon", "niveau") if query.get(name)}
    if trade_code or query.get("metier"):
        params["metier"] = trade_code or query["metier"]
    return f"{reverse('candidates:signup')}?{urlencode(params)}"


@require_GET
def offer_search(request):
    """Chercher des offres sans compte : formulaire GET (sans JavaScript), résultats les plus proches d'abord."""
    submitted = any(name in request.GET for name in SEARCH_PARAMETERS)
    section = _search_section(request, submitted=submitted, form_action=reverse("partners:offer_search"))
    return render(
        request,
        "partners/search.html",
        {
            "title": section["title"],
            "submitted": submitted,
            "search_section": mark_safe(section["html"]),  # noqa: S308 - rendu par le gabarit, déjà échappé
            "canonical_url": seo.absolute(reverse("partners:offer_search")),
        },
        status=section["status"],
    )


def _search_section(request, *, submitted: bool, form_action: str, in_widget: bool = False) -> dict:
    """Le formulaire et les résultats d'une recherche (HTML, titre de la page, statut), les mêmes pour tous :
    gardés en cache, par paramètres de la recherche, tant qu'aucune offre ni commune n'a changé. `in_widget` :
    liens vers le site complet, dans une nouvelle fenêtre (module intégré chez un partenaire)."""
    params = [(name, request.GET.getlist(name)) for name in (*SEARCH_PARAMETERS, "page") if name in request.GET]
    digest = hashlib.sha256(repr((form_action, params)).encode()).hexdigest()[:32]

    def build():
        form = OfferSearchForm(request.GET if submitted else None)
        context = {"form": form, "form_action": form_action, "new_window": in_widget}
        title, status = "Trouver une offre d'apprentissage près de chez toi", 200
        if submitted and form.is_valid():
            try:
                context.update(run_search(form, request.GET.get("page"), absolute_links=in_widget))
            except Http404 as error:
                context["page_error"] = str(error)
                status = 404
            title = f"Offres d'apprentissage autour de {form.cleaned_data['commune'].name}"
        elif submitted:
            title = "Erreur : " + title
        return {"title": title, "status": status, "html": render_to_string("partners/_search.html", context)}

    key = f"recherche-publique:{offers_version()}:{communes_version()}:{digest}"
    return cache.get_or_set(key, build, PUBLIC_CACHE_SECONDS)


@require_GET
def offer_detail(request, pk):
    """La page publique d'une offre (lien de l'API, de l'export et des moteurs de recherche) ; 410 si l'offre
    n'est plus en ligne, pour qu'elle quitte les index des moteurs."""
    page = _offer_page(pk)
    if page["status"] == 404:
        raise Http404("Offre introuvable.")
    if page["status"] == 410:
        return render(request, "partners/offer_gone.html", {"title": "Cette offre n'est plus disponible"}, status=410)
    query = {name: request.GET[name] for name in ("commune", "rayon", "niveau") if request.GET.get(name)}
    return render(
        request,
        "partners/offer_detail.html",
        {
            **page["context"],
            "job_posting": mark_safe(page["job_posting"]),  # noqa: S308 - échappé par json_for_script
            "signup_url": signup_url(query, trade_code=page["trade_code"]),
            "back_url": f"{reverse('partners:offer_search')}?{urlencode(query)}" if query.get("commune") else "",
        },
    )


def _offer_page(pk: int) -> dict:
    """Ce que montre la page d'une offre (ou son statut, 404 ou 410), le même pour tous : gardé en cache tant
    qu'aucune offre n'a changé."""

    def build():
        offer, gone = public_offer_or_gone(pk)
        if offer is None:
            return {"status": 410 if gone else 404}
        payload = offer_payload(offer)
        posting = seo.job_posting(offer)
        return {
            "status": 200,
            "context": {
                "title": f"{payload['metier']['libelle']} à {payload['commune']['nom']}",
                "offer": payload,
                "salary_floor": posting.get("baseSalary", {}).get("value", {}).get("minValue"),
                "canonical_url": seo.absolute(reverse("partners:offer_detail", kwargs={"pk": offer.pk})),
            },
            "job_posting": seo.json_for_script(posting),
            "trade_code": offer.trade.code,
        }

    return cache.get_or_set(f"offre-publique:{offers_version()}:{pk}", build, PUBLIC_CACHE_SECONDS)


METHODS = ("get", "post", "put", "patch", "delete")
LOCATIONS = {"query": "paramètre d'URL", "path": "dans le chemin", "header": "en-tête"}


def _type(schema: dict) -> str:
    """Le type d'un paramètre, en mots courts (« entier », « texte », « liste de texte »…)."""
    if "anyOf" in schema:
        return " ou ".join(_type(option) for option in schema["anyOf"] if option.get("type") != "null")
    names = {"integer": "entier", "string": "texte", "number": "nombre", "boolean": "oui/non", "array": "liste"}
    kind = names.get(schema.get("type", ""), schema.get("type", "objet"))
    if schema.get("type") == "array" and "items" in schema:
        kind = f"liste de {_type(schema['items'])}"
    if "enum" in schema:
        kind += " parmi " + ", ".join(str(value) for value in schema["enum"])
    return kind


@require_GET
def api_docs(request):
    """La documentation de l'API publique, lue dans son schéma OpenAPI, dans la mise en page du site."""
    schema = openapi_schema()
    operations = []
    for path, methods in schema["paths"].items():
        for method in METHODS:
            operation = methods.get(method)
            if operation is None:
                continue
            operations.append(
                {
                    "id": operation.get("operationId", f"{method}-{path}").replace("_", "-"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary") or path,
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "where": LOCATIONS.get(parameter.get("in"), parameter.get("in")),
                            "required": parameter.get("required", False),
                            "type": _type(parameter.get("schema", {})),
                            "description": parameter.get("description")
                            or parameter.get("schema", {}).get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "responses": [
                        {"code": str(code), "description": response.get("description", "")}
                        for code, response in sorted(operation.get("responses", {}).items(), key=lambda r: str(r[0]))
                    ],
                }
            )
    return render(
        request,
        "partners/api_docs.html",
        {"title": "Documentation de l'API", "info": schema["info"], "operations": operations},
    )


@require_GET
def sitemap(request):
    """Le plan du site : l'accueil, la recherche et chaque offre publique (une offre qui n'est plus en ligne
    en sort). Gardé en cache sous la version des offres : un moteur qui le relit ne fait lire aucune offre ; un
    seul processus le recalcule à la fois, les autres servent le précédent pendant ce temps."""

    def build():
        offers = public_offers().order_by("pk").values_list("pk", "updated_at")
        urls = [(seo.absolute(reverse("core:home")), None), (seo.absolute(reverse("partners:offer_search")), None)]
        urls += [
            (seo.absolute(reverse("partners:offer_detail", kwargs={"pk": pk})), updated_at)
            for pk, updated_at in offers.iterator(chunk_size=2000)
        ]
        return render_to_string("partners/sitemap.xml", {"urls": urls}).encode()

    content = shared_value("plan-du-site", offers_version(), build, PUBLIC_CACHE_SECONDS)
    return HttpResponse(content, content_type="application/xml; charset=utf-8")


@require_GET
def robots(request):
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in seo.PRIVATE_PATHS),
        "Allow: /",
        f"Sitemap: {seo.absolute(reverse('partners:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


@require_GET
@xframe_options_exempt
def widget(request, slug):
    """Le module de recherche d'une CMA ou d'un CFA, en iframe sur ses sites : la recherche et ses résultats, liens
    vers le site complet dans une nouvelle fenêtre. Seuls les sites du partenaire peuvent l'afficher (CSP
    `frame-ancestors`) ; une page qui l'appelle depuis un autre site reçoit 403. Aucun cookie, aucun compte."""
    widget_config = Widget.objects.active().filter(slug=slug).first()
    if widget_config is None:
        raise Http404("Module de recherche inconnu.")
    allowed = list(widget_config.allowed_origins)
    caller = _origin_of(request.headers.get("Referer", ""))
    own = {_origin_of(settings.SITE_URL), _origin_of(request.build_absolute_uri("/"))}
    if caller and caller not in allowed and caller not in own:
        response = render(
            request,
            "partners/widget_refused.html",
            {"title": "Module non autorisé sur ce site", "widget": widget_config},
            status=403,
        )
    else:
        response = _widget_page(request, widget_config)
    response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": allowed}
    return response


def _widget_page(request, widget_config):
    submitted = any(name in request.GET for name in SEARCH_PARAMETERS)
    form_action = reverse("partners:widget", kwargs={"slug": widget_config.slug})
    section = _search_section(request, submitted=submitted, form_action=form_action, in_widget=True)
    context = {
        "title": "Offres d'apprentissage dans l'artisanat",
        "search_section": mark_safe(section["html"]),  # noqa: S308 - rendu par le gabarit, déjà échappé
        "widget": widget_config,
        "site_search_url": settings.SITE_URL + reverse("partners:offer_search"),
    }
    return render(request, "partners/widget.html", context, status=section["status"])
