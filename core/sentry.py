"""La remontée des erreurs à Sentry, mise en route par les réglages seulement quand `SENTRY_DSN` est donné : les
journaux (`core.observability`, lus aussi par gunicorn) ne chargent pas Sentry."""

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

from core.observability import sentry_before_send


def sentry_init(dsn: str, *, environment: str, transport=None) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        # `data_collection` remplace `send_default_pii=False` (déprécié) : rien de personnel n'est collecté.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "off"}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,
            "queues": False,
            "gen_ai": {"inputs": False, "outputs": False},
        },
        before_send=sentry_before_send,
        traces_sample_rate=0.0,
        transport=transport,
    )
