from django.contrib import admin

from offers.models import Offer


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    """Lecture seule de l'état : les changements passent par offers.services (l'automate)."""

    list_display = ["pk", "trade", "company", "commune", "status", "positions", "filled_positions", "expires_at"]
    list_filter = ["status"]
    search_fields = ["company__name", "company__siret"]
    raw_id_fields = ["company", "trade", "commune"]
    readonly_fields = ["status", "filled_positions", "published_at", "expires_at"]
