from django.contrib import admin

from privacy.models import AnonymisationRecord


@admin.register(AnonymisationRecord)
class AnonymisationRecordAdmin(admin.ModelAdmin):
    """Lecture seule : preuve des anonymisations, sans donnée personnelle."""

    list_display = ("created_at", "reason", "role")
    list_filter = ("reason", "role")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
