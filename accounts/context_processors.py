"""Le menu principal, selon le rôle de la personne connectée, et la voix des pages communes (`tu`)."""

from django.urls import NoReverseMatch, reverse

from accounts.enums import Role

MENUS = {
    Role.CANDIDATE: [("Mes mises en relation", "matching:candidate_home"), ("Mon profil", "candidates:profile")],
    Role.EMPLOYER: [("Mes offres", "matching:employer_home"), ("Déposer une offre", "offers:create")],
    Role.ADVISOR: [("Tableau de bord", "backoffice:home")],
    Role.ADMIN: [("Tableau de bord", "backoffice:home")],
}
ACCOUNT_MENU = [("Mes données", "privacy:my_data")]
PUBLIC_MENU = [("Statistiques", "stats:index")]


def navigation(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    entries = (MENUS.get(user.role, []) + ACCOUNT_MENU if signed_in else []) + PUBLIC_MENU
    items = []
    for label, url_name in entries:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "current": request.path == url})
    # Lu dans la session (noté à la connexion) : aucune requête de plus par page.
    email_refused_on = request.session.get("email_refused_on") if signed_in else None
    return {"nav_items": items, "email_refused_on": email_refused_on, "tu": speaks_to_a_candidate(request)}


def speaks_to_a_candidate(request) -> bool:
    """Une voix par public : « tu » aux jeunes, « vous » aux employeurs et aux conseiller·es. Connecté·e : selon
    le rôle ; sinon, les pages communes (connexion) le savent par « ?pour=candidat » ou une suite sous
    /candidat/."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.role == Role.CANDIDATE
    return request.GET.get("pour") == "candidat" or request.GET.get("next", "").startswith("/candidat/")
