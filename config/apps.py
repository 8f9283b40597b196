from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """L'administration de Django avec le site de `config.admin` (éteint par défaut, second facteur exigé)."""

    default_site = "config.admin.AdminSite"
