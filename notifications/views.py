"""Désabonnement en un clic (RFC 8058) et choix des e-mails reçus, par sorte."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt

from notifications import services
from notifications.enums import EmailKind
from notifications.forms import PreferencesForm


@csrf_exempt  # le jeton signé du lien est l'autorisation : la messagerie poste sans cookie ni jeton CSRF
def unsubscribe(request, token):
    """GET : une page qui explique et propose le bouton (les robots qui ouvrent les liens ne désabonnent
    personne) ; POST : désabonne, qu'il vienne du bouton ou de la messagerie (« List-Unsubscribe=One-Click »)."""
    found = services.unsubscribe_token_read(token)
    user = get_user_model().objects.filter(pk=found[0], is_active=True).first() if found else None
    if user is None:
        return render(
            request,
            "notifications/unsubscribe.html",
            {"title": "Lien de désabonnement invalide", "invalid": True},
            status=400,
        )
    kind = EmailKind(found[1])
    done = request.method == "POST"
    if done:
        services.email_unsubscribe(user=user, kind=kind)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"title": "Se désabonner", "kind": kind, "done": done, "candidate": user.is_candidate},
    )


def preferences(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    preference = services.email_preference_of(user)
    initial = {
        "subscribed": [kind for kind in EmailKind.values if kind not in preference.unsubscribed],
        "daily_digest": "oui" if preference.daily_digest else "non",
    }
    form = PreferencesForm(
        request.POST or None, initial=initial, employer=user.is_employer, candidate=user.is_candidate
    )
    if request.method == "POST" and form.is_valid():
        services.email_preferences_set(
            user=user,
            subscribed=form.cleaned_data["subscribed"],
            daily_digest=form.cleaned_data.get("daily_digest") if user.is_employer else None,
        )
        messages.success(
            request,
            "Tes choix d'e-mails sont enregistrés." if user.is_candidate else "Vos choix d'e-mails sont enregistrés.",
        )
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"title": "Mes e-mails", "form": form, "candidate": user.is_candidate},
    )
