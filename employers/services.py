"""Écritures : inscription des employeurs et établissements."""

from django.db import transaction
from django.urls import reverse

from accounts.enums import Role
from accounts.models import User
from accounts.services import magic_link_send
from employers.models import Company
from notifications.services import email_enqueue


def _notify_members_of_new_member(*, company: Company, new_member: User) -> None:
    for member in company.members.filter(is_active=True).exclude(pk=new_member.pk):
        email_enqueue(
            key=f"company-new-member:{company.pk}:{new_member.pk}:{member.pk}",
            to=member.email,
            template="employers/emails/new_member",
            context={"user": member, "company": company, "new_member": new_member},
        )


@transaction.atomic
def company_join_or_create(
    *, user: User, siret: str, name: str, commune, naf_code: str = "", staff_band: str = ""
) -> Company:
    """Rattache `user` à l'établissement `siret`, créé s'il n'existe pas encore.

    Si l'établissement a déjà des membres, ils en sont prévenus par e-mail.
    """
    company = Company.objects.select_for_update().filter(siret=siret).first()
    if company is None:
        company = Company.objects.create(
            siret=siret,
            name=name,
            commune=commune,
            naf_code=naf_code,
            **({"staff_band": staff_band} if staff_band else {}),
        )
    elif company.members.filter(pk=user.pk).exists():
        return company
    company.members.add(user)
    _notify_members_of_new_member(company=company, new_member=user)
    return company


@transaction.atomic
def employer_signup(
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    siret: str,
    company_name: str,
    commune,
    naf_code: str = "",
    staff_band: str = "",
) -> User | None:
    """Crée le compte employeur et son établissement, puis envoie le lien de connexion.

    Si l'adresse a déjà un compte, rien n'est créé : on lui envoie seulement un lien de connexion (la page
    affichée est la même, pour ne pas révéler quelles adresses sont inscrites). Renvoie le compte créé.
    """
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if existing.is_active:
            magic_link_send(user=existing)
        return None
    user = User.objects.create_user(
        email=email, first_name=first_name, last_name=last_name, phone=phone, role=Role.EMPLOYER
    )
    company_join_or_create(
        user=user, siret=siret, name=company_name, commune=commune, naf_code=naf_code, staff_band=staff_band
    )
    magic_link_send(user=user, next_url=reverse("employers:home"))
    return user


@transaction.atomic
def employer_signup_complete(
    *, user: User, phone: str, siret: str, company_name: str, commune, naf_code: str = "", staff_band: str = ""
) -> Company:
    """Termine l'inscription d'un compte employeur ouvert par ProConnect : son téléphone et son établissement."""
    if phone and phone != user.phone:
        user.phone = phone
        user.save(update_fields=["phone"])
    return company_join_or_create(
        user=user, siret=siret, name=company_name, commune=commune, naf_code=naf_code, staff_band=staff_band
    )


# --- Rattachement par ProConnect ------------------------------------------------------------------
# Version minimale : le modèle des rattachements et de la vérification des établissements la remplace ;
# seule la signature et le contrat comptent ici.


@transaction.atomic
def membership_approve_from_proconnect(*, user: User, siret: str) -> Company | None:
    """ProConnect atteste que `user` appartient à l'établissement `siret` : s'il est connu, `user` en devient
    membre (rattachement approuvé) et l'établissement est renvoyé ; sinon None (rien n'est créé)."""
    company = Company.objects.select_for_update().filter(siret=siret).first()
    if company is None:
        return None
    if not company.members.filter(pk=user.pk).exists():
        company.members.add(user)
        _notify_members_of_new_member(company=company, new_member=user)
    return company
