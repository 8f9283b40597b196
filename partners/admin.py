from django.contrib import admin

from partners.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "is_active", "created_at"]
    list_filter = ["is_active"]
    readonly_fields = ["key_hash", "prefix", "created_at"]
