"""Désabonnement en un clic (RFC 8058) et choix des e-mails reçus, par sorte."""

import json
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications import services
from notifications.enums import EmailKind
from notifications.forms import CodeForm, PhoneForm, PreferencesForm, SmsKindsForm
from notifications.models import PhoneVerification, SmsSubscription
from notifications.preferences import (
    email_preference_of,
    email_preferences_set,
    email_unsubscribe,
    sms_stop_token_read,
    unsubscribe_token_read,
)


@csrf_exempt  # le jeton signé du lien est l'autorisation : la messagerie poste sans cookie ni jeton CSRF
def unsubscribe(request, token):
    """GET : une page qui explique et propose le bouton (les robots qui ouvrent les liens ne désabonnent
    personne) ; POST : désabonne, qu'il vienne du bouton ou de la messagerie (« List-Unsubscribe=One-Click »)."""
    found = unsubscribe_token_read(token)
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
        email_unsubscribe(user=user, kind=kind)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"title": "Se désabonner", "kind": kind, "done": done, "candidate": user.is_candidate},
    )


def preferences(request):
    """Les e-mails reçus par sorte, et par SMS (mobile vérifié par un code) les sortes choisies."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    candidate = user.is_candidate
    action = request.POST.get("action", "") if request.method == "POST" else ""
    preference = email_preference_of(user)
    initial = {
        "subscribed": [kind for kind in EmailKind.values if kind not in preference.unsubscribed],
        "daily_digest": "oui" if preference.daily_digest else "non",
    }
    subscription = SmsSubscription.objects.filter(user=user).first()
    form = PreferencesForm(
        request.POST if action == "e-mails" else None, initial=initial, employer=user.is_employer, candidate=candidate
    )
    phone_form = PhoneForm(request.POST if action == "mobile" else None)
    code_form = CodeForm(request.POST if action == "code" else None)
    sms_form = SmsKindsForm(
        request.POST if action == "sms" else None, initial={"kinds": subscription.kinds if subscription else []}
    )
    if action == "e-mails" and form.is_valid():
        email_preferences_set(
            user=user,
            subscribed=form.cleaned_data["subscribed"],
            daily_digest=form.cleaned_data.get("daily_digest") if user.is_employer else None,
        )
        messages.success(
            request, "Tes choix d'e-mails sont enregistrés." if candidate else "Vos choix d'e-mails sont enregistrés."
        )
        return redirect("notifications:preferences")
    if action == "mobile" and phone_form.is_valid():
        try:
            services.phone_verification_start(user=user, phone=phone_form.cleaned_data["phone"])
        except services.SmsError as error:
            phone_form.add_error("phone", str(error))
        else:
            messages.success(request, "Un code est parti par SMS ; il est valable 10 minutes.")
            return redirect(f"{request.path}#sms")
    if action == "code" and code_form.is_valid():
        try:
            services.phone_verification_confirm(user=user, code=code_form.cleaned_data["code"])
        except services.SmsError as error:
            code_form.add_error("code", str(error))
        else:
            messages.success(request, "Le mobile est vérifié : il reste à choisir les messages à recevoir par SMS.")
            return redirect(f"{request.path}#sms")
    if action == "sms" and sms_form.is_valid():
        if subscription is None or subscription.verified_at is None:
            sms_form.add_error(None, "Il faut d'abord vérifier un mobile avec le code reçu par SMS.")
        else:
            services.sms_kinds_set(user=user, kinds=sms_form.cleaned_data["kinds"])
            messages.success(request, "Les SMS choisis sont enregistrés.")
            return redirect(f"{request.path}#sms")
    pending_code = PhoneVerification.objects.filter(user=user, verified_at=None).exists()
    return render(
        request,
        "notifications/preferences.html",
        {
            "title": "Mes e-mails",
            "form": form,
            "candidate": candidate,
            "phone_form": phone_form,
            "code_form": code_form,
            "sms_form": sms_form,
            "subscription": subscription,
            "pending_code": pending_code or action == "code",
        },
    )


@csrf_exempt  # appelé par l'opérateur ; le secret du chemin est l'autorisation
@require_POST
def sms_events(request, secret):
    """Accusés de réception et réponses (STOP) de l'opérateur de SMS (voir `notifications.sms`)."""
    if not settings.SMS_WEBHOOK_SECRET or not secrets.compare_digest(secret, settings.SMS_WEBHOOK_SECRET):
        raise Http404
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"erreur": "Le corps doit être un objet JSON."}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"erreur": "Le corps doit être un objet JSON."}, status=400)
    return JsonResponse({"resultat": services.sms_event(payload)})


@csrf_exempt
def sms_stop(request, token):
    """Le lien « Stop SMS » de chaque SMS : une page, puis l'arrêt au clic (comme le désabonnement)."""
    user_id = sms_stop_token_read(token)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return render(
            request, "notifications/sms_stop.html", {"title": "Lien d'arrêt invalide", "invalid": True}, status=400
        )
    done = request.method == "POST"
    if done:
        services.sms_stop(user_id=user.pk)
    return render(request, "notifications/sms_stop.html", {"title": "Arrêter les SMS", "done": done})
