import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts import limits
from accounts.enums import Role
from candidates import services, tasks
from candidates.decorators import candidate_required, next_onboarding_url
from candidates.forms import (
    FoundContractForm,
    IdentityForm,
    NotificationsForm,
    ProfileForm,
    SignupForm,
    WhenHowForm,
    WhereWhatForm,
    prefill_query,
    search_prefill,
    when_how_initial,
    where_what_initial,
)
from candidates.models import CandidateProfile
from core.enums import DEFAULT_RADIUS_KM, DiplomaLevel
from geo.models import Commune
from trades.models import Trade

STEPS = {1: "Qui es-tu ?", 2: "Où et quoi", 3: "Quand et comment"}
WHERE_WHAT_FIELDS = ("commune", "radius_km", "has_driving_licence", "has_vehicle", "trades", "level")
WHEN_HOW_FIELDS = (
    "contract_types",
    "job_seeker",
    "available_from",
    "has_training_place",
    "training_centre",
    "phone",
    "presentation",
)


def _posted(request):
    """Les données envoyées, même vides (un formulaire envoyé sans rien coché doit montrer ses erreurs)."""
    return request.POST if request.method == "POST" else None


def _stepper(step: int) -> dict:
    return {"current": step, "total": len(STEPS), "title": STEPS[step], "next_title": STEPS.get(step + 1, "")}


def signup(request):
    """Écran 1. Anonyme : crée le compte et envoie le lien ; connecté·e sans profil : crée le profil."""
    user = request.user
    # La recherche faite sans compte (page « Trouver une offre ») : gardée en champs cachés, reprise dans le profil.
    prefill = search_prefill(request.POST if request.method == "POST" else request.GET)
    if user.is_authenticated:
        if user.role != Role.CANDIDATE:
            raise PermissionDenied("Vous êtes connecté·e avec un compte qui n'est pas un compte candidat·e.")
        if CandidateProfile.objects.filter(user=user).exists():
            return redirect("matching:candidate_home")
        form = IdentityForm(_posted(request), initial={"first_name": user.first_name, "last_name": user.last_name})
        if request.method == "POST" and form.is_valid():
            profile = services.candidate_start(
                user=user,
                birth_date=form.cleaned_data["birth_date"],
                age_exception=form.cleaned_data["age_exception"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
            services.candidate_prefill(profile=profile, search=prefill)
            return redirect("candidates:onboarding", step=2)
    else:
        form = SignupForm(_posted(request))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            wait = limits.ip_wait(request, "signup")
            if wait:
                form.add_error(
                    None, f"Trop de demandes. Réessaie dans {max(1, wait // 60)} minute(s) ou contacte-nous."
                )
            else:
                # La tâche cherche un compte existant et envoie le lien : la réponse est la même pour toute
                # adresse (voir accounts.views.login_view).
                if limits.address_allowed(request, data["email"]):
                    transaction.on_commit(
                        functools.partial(
                            tasks.candidate_signup.enqueue,
                            email=data["email"],
                            first_name=data["first_name"],
                            last_name=data["last_name"],
                            birth_date=data["birth_date"].isoformat(),
                            age_exception=data["age_exception"],
                            search=prefill or None,
                        )
                    )
                return redirect("candidates:signup_sent")
    return render(
        request,
        "candidates/signup.html",
        {
            "form": form,
            "title": "Créer mon profil — étape 1 sur 3",
            "stepper": _stepper(1),
            "prefill": prefill_query(prefill),
            "prefill_summary": _prefill_summary(prefill),
        },
    )


def _prefill_summary(prefill: dict) -> str:
    """La recherche reprise, en mots : « Boulanger / Boulangère, à 30 km de Saint-Omer »."""
    parts = []
    if prefill.get("trade_codes"):
        parts += Trade.objects.filter(code__in=prefill["trade_codes"]).values_list("label", flat=True)
    if prefill.get("commune"):
        name = Commune.objects.filter(code=prefill["commune"]).values_list("name", flat=True).first()
        parts.append(f"à {prefill.get('radius_km', DEFAULT_RADIUS_KM)} km de {name}")
    if prefill.get("level"):
        parts.append(f"niveau {DiplomaLevel(prefill['level']).short_label}")
    return ", ".join(parts)


def signup_sent(request):
    return render(request, "candidates/signup_sent.html", {"title": "Vérifie tes e-mails"})


@candidate_required
def onboarding(request, profile, step):
    if step not in (2, 3):
        raise Http404
    if profile.is_complete:
        return redirect("candidates:profile")
    if step == 3 and not (profile.commune_id and profile.level):
        return redirect("candidates:onboarding", step=2)
    if step == 2:
        form = WhereWhatForm(_posted(request), initial=where_what_initial(profile))
        fields = WHERE_WHAT_FIELDS
    else:
        form = WhenHowForm(_posted(request), initial=when_how_initial(profile))
        fields = WHEN_HOW_FIELDS
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in fields}
        services.candidate_update(profile=profile, complete=step == 3, **values)
        if step == 2:
            return redirect("candidates:onboarding", step=3)
        return redirect("candidates:done")
    return render(
        request,
        f"candidates/onboarding_step{step}.html",
        {"form": form, "title": f"Créer mon profil — étape {step} sur 3", "stepper": _stepper(step)},
    )


@candidate_required
def done(request, profile):
    if not profile.is_complete:
        return redirect(next_onboarding_url(profile))
    return render(request, "candidates/done.html", {"title": "Ton profil est prêt", "profile": profile})


PROFILE_FIELDS = ("first_name", "last_name", "birth_date", "age_exception", *WHERE_WHAT_FIELDS, *WHEN_HOW_FIELDS)


@candidate_required
def profile_edit(request, profile):
    if not profile.is_complete:
        return redirect(next_onboarding_url(profile))
    identity_verified = hasattr(request.user, "franceconnect_identity")
    form = ProfileForm(_posted(request), profile=profile, identity_verified=identity_verified)
    if request.method == "POST" and form.is_valid():
        fields = [name for name in PROFILE_FIELDS if name not in form.fields or not form.fields[name].disabled]
        services.candidate_update(profile=profile, **{name: form.cleaned_data[name] for name in fields})
        messages.success(request, "Ton profil est enregistré.")
        return redirect("candidates:profile")
    return render(
        request,
        "candidates/profile.html",
        {
            "title": "Mon profil",
            "profile": profile,
            "form": form,
            "notifications_form": NotificationsForm(initial={"frequency": profile.notification_frequency}),
            "identity_verified": identity_verified,
        },
    )


@require_POST
@candidate_required
def pause(request, profile):
    services.candidate_pause(profile=profile)
    messages.success(request, "C'est noté : tu ne recevras plus de mise en relation. Tu peux reprendre quand tu veux.")
    return redirect("candidates:profile")


@require_POST
@candidate_required
def resume(request, profile):
    services.candidate_resume(profile=profile)
    messages.success(request, "C'est reparti : on te prévient dès qu'une offre te correspond.")
    return redirect("candidates:profile")


@candidate_required
def found_contract(request, profile):
    form = FoundContractForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.candidate_found_contract(
            profile=profile, found_through_service=form.cleaned_data["found_through_service"]
        )
        messages.success(request, "Bravo pour ton contrat ! Ton profil n'est plus proposé aux employeurs.")
        return redirect("candidates:profile")
    return render(
        request, "candidates/found_contract.html", {"title": "J'ai trouvé un contrat", "form": form, "profile": profile}
    )


@require_POST
@candidate_required
def notifications(request, profile):
    form = NotificationsForm(request.POST)
    if form.is_valid():
        services.candidate_set_notifications(profile=profile, frequency=form.cleaned_data["frequency"])
        messages.success(request, "Tes préférences d'e-mails sont enregistrées.")
    else:
        messages.error(request, "Choisis une option pour les e-mails.")
    return redirect(f"{reverse('candidates:profile')}#e-mails")


@csrf_exempt  # le lien signé de l'e-mail est l'autorisation ; pas besoin d'être connecté·e
def status_answer(request, token):
    """« Je cherche toujours / j'ai trouvé / je fais une pause » : la page du lien, puis la réponse au bouton
    (ouvrir le lien ne change rien : les messageries qui visitent les liens ne répondent pas à ta place)."""
    found = services.status_token_read(token)
    profile = CandidateProfile.objects.filter(pk=found[0], user__is_active=True).first() if found else None
    if profile is None:
        return render(request, "candidates/status_answer.html", {"title": "Lien invalide", "invalid": True}, status=400)
    answer = found[1]
    done = request.method == "POST"
    if done:
        services.candidate_status_confirm(profile=profile, answer=answer)
    return render(
        request,
        "candidates/status_answer.html",
        {"title": "Ta situation", "answer": answer, "label": services.STATUS_ANSWERS[answer], "done": done},
    )
