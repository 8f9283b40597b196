from django.contrib import admin

from employers.models import Company, Membership


class MembershipInline(admin.TabularInline):
    """Lecture seule : un rattachement s'accorde depuis l'espace employeur ou le back-office (journalisé)."""

    model = Membership
    fk_name = "company"
    extra = 0
    can_delete = False
    fields = ["user", "status", "source", "requested_at", "decided_at", "decided_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "commune", "staff_band", "verification_status", "created_at"]
    list_filter = ["verification_status"]
    search_fields = ["name", "siret"]
    raw_id_fields = ["commune"]
    readonly_fields = ["verification_status", "verification_source", "verified_at", "verification_reasons"]
    inlines = [MembershipInline]
