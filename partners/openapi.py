"""Le document OpenAPI de l'API publique, tel qu'il est versionné dans docs/api/openapi.json."""

import json

from django.conf import settings
from django.utils.module_loading import import_string

COMMITTED_PATH = settings.BASE_DIR / "docs" / "api" / "openapi.json"


def openapi_schema() -> dict:
    """Le schéma de l'API publique. Elle est assemblée dans `config`, au-dessus des applications : le réglage
    `PUBLIC_API` la nomme (comme `ROOT_URLCONF` nomme les URL), les applications ne l'importent pas."""
    return import_string(settings.PUBLIC_API).get_openapi_schema(path_prefix="/api/v1/")


def openapi_document() -> str:
    return json.dumps(openapi_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
