from django.contrib import admin

from franceconnect.models import FranceConnectIdentity, LinkRequest


@admin.register(FranceConnectIdentity)
class FranceConnectIdentityAdmin(admin.ModelAdmin):
    list_display = ("user", "verified_at")
    readonly_fields = ("user", "sub", "given_name", "family_name", "birthdate", "verified_at")
    search_fields = ("user__email",)


@admin.register(LinkRequest)
class LinkRequestAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "expires_at", "used_at")
    readonly_fields = ("user", "token_hash", "sub", "created_at", "expires_at", "used_at")
    exclude = ("given_name", "family_name", "birthdate")
