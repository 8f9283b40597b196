"""L'administration technique de Django (/admin/), fermée par défaut.

- Éteinte (404) sauf si le réglage `ADMIN_ENABLED` l'allume (par défaut : allumée seulement avec DEBUG).
- Un mot de passe ne suffit pas : toute page exige le second facteur du back-office vérifié dans la session
  (`backoffice.scope.is_verified`) ; sans lui, renvoi vers la vérification, qui ramène ici.
- La connexion par mot de passe est limitée en débit, par adresse IP et par identifiant.
"""

import functools
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from backoffice import scope
from core import ratelimit

LOGIN_LIMIT_PER_IP = (10, 15 * 60)  # essais, secondes
LOGIN_LIMIT_PER_ACCOUNT = (5, 15 * 60)


class AdminSite(admin.AdminSite):
    site_header = "C'est ma chance — administration technique"
    site_title = "Administration technique"

    def has_permission(self, request):
        return super().has_permission(request) and scope.is_verified(request)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @functools.wraps(view)
        def gated(request, *args, **kwargs):
            if not settings.ADMIN_ENABLED:
                raise Http404
            user = request.user
            if user.is_active and user.is_staff and not scope.is_verified(request):
                return redirect(f"{reverse('backoffice:verify')}?{urlencode({'next': request.get_full_path()})}")
            return inner(request, *args, **kwargs)

        return gated

    def login(self, request, extra_context=None):
        if not settings.ADMIN_ENABLED:
            raise Http404
        if request.method == "POST":
            account = request.POST.get("username", "").strip().lower()
            waits = [
                ratelimit.hit("admin-login-ip", ratelimit.client_ip(request), limit=limit, period=period)
                for limit, period in [LOGIN_LIMIT_PER_IP]
            ] + [
                ratelimit.hit("admin-login-account", account, limit=limit, period=period)
                for limit, period in [LOGIN_LIMIT_PER_ACCOUNT]
            ]
            if wait := max((w for w in waits if w), default=None):
                response = HttpResponse(
                    f"Trop d'essais de connexion. Réessayez dans {max(1, wait // 60)} minute(s).",
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(wait)
                return response
        return super().login(request, extra_context)
