"""Journaux JSON et remontée d'erreurs (Sentry, réglée dans `core/sentry.py`), sans donnée personnelle.

Les adresses e-mail et numéros de téléphone qui se glisseraient dans un message sont masqués ; Sentry ne
reçoit ni cookies, ni en-têtes, ni corps de requête, ni paramètres d'URL, ni utilisateur, ni variables
locales.
"""

import datetime
import json
import logging
import re

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"(?<![\w])(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?![\w])")
REDACTED = "[masqué]"


def redact(text: str) -> str:
    """Le texte sans adresse e-mail ni numéro de téléphone."""
    return PHONE_RE.sub(REDACTED, EMAIL_RE.sub(REDACTED, text))


class JsonFormatter(logging.Formatter):
    """Une ligne JSON par événement : date, niveau, journal, message (masqué), exception éventuelle."""

    def format(self, record):
        payload = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            payload["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False)


def _redact_tree(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redact_tree(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_tree(item) for item in value]
    return value


def sentry_before_send(event, hint):
    """Retire de l'événement tout ce qui peut porter une donnée personnelle, masque le reste."""
    event.pop("user", None)
    event.pop("server_name", None)
    request = event.get("request")
    if request:
        event["request"] = {key: request[key] for key in ("method", "url") if key in request}
        if "url" in event["request"]:
            event["request"]["url"] = redact(event["request"]["url"].split("?", 1)[0])
    for exception in event.get("exception", {}).get("values", []):
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    for crumb in (event.get("breadcrumbs") or {}).get("values", []):
        crumb.pop("data", None)
    return _redact_tree(event)
