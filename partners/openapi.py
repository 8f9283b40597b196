"""Le document OpenAPI de l'API publique, tel qu'il est versionné dans docs/api/openapi.json."""

import json

from django.conf import settings

COMMITTED_PATH = settings.BASE_DIR / "docs" / "api" / "openapi.json"


def openapi_document() -> str:
    from config.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
