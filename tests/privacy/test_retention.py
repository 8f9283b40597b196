"""privacy/retention.py reste à jour : tout champ d'un modèle qui concerne une personne a été revu."""

import pytest
from django.apps import apps

from privacy import retention


def field_names(model) -> set[str]:
    return {
        f.name
        for f in model._meta.get_fields()
        if (f.concrete or f.many_to_many) and not f.auto_created and not f.primary_key
    }


@pytest.mark.parametrize("label", sorted(retention.FIELD_REVIEW))
def test_every_field_of_personal_models_is_reviewed(label):
    review = retention.FIELD_REVIEW[label]
    model = apps.get_model(label)
    if review == retention.ROW_DELETED:
        return
    assert review["erased"].isdisjoint(review["kept"])
    reviewed = review["erased"] | review["kept"]
    assert field_names(model) - reviewed == set(), f"Champs de {label} à revoir dans privacy/retention.py"
    assert reviewed - field_names(model) == set(), f"Champs disparus de {label} : retirez-les de la revue"


def test_deleted_rows_are_really_deleted_by_the_services():
    deleted_by_service = {label for label, _ in retention.USER_LINKED_ROWS_DELETED}
    handled_elsewhere = {
        "matching.CandidateTradeIndex",
        "accounts.MagicLink",
        "notifications.OutboxEmail",
        "notifications.UndeliverableAddress",
    }
    deleted = {label for label, review in retention.FIELD_REVIEW.items() if review == retention.ROW_DELETED}
    assert deleted == deleted_by_service | handled_elsewhere


def test_every_model_pointing_to_a_person_is_reviewed():
    """Un nouveau modèle relié à un compte ou à un profil candidat doit être revu (ou déclaré sans donnée)."""
    person_models = {"accounts.User", "candidates.CandidateProfile"}
    without_personal_data = {
        "admin.LogEntry",  # administration technique
        "backoffice.AuditLog",  # identifiants et codes seulement (voir son docstring)
        "backoffice.AssistedSignup",  # date d'accord et conseiller·e
    }
    linked = set()
    for model in apps.get_models():
        label = model._meta.label
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            if field.concrete and target is not None and target._meta.label in person_models:
                linked.add(label)
    assert {"matching.Match", "accounts.MagicLink"} <= linked  # la détection marche
    unreviewed = linked - set(retention.FIELD_REVIEW) - without_personal_data - person_models
    assert unreviewed == set(), f"Modèles reliés à une personne, à revoir dans privacy/retention.py : {unreviewed}"
