from django.contrib import admin

from employers.models import Company


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "commune", "staff_band", "created_at"]
    search_fields = ["name", "siret"]
    raw_id_fields = ["commune", "members"]
