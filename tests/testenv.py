"""Réglages d'environnement de la suite de tests (les mêmes variables qu'en production)."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ["TASKS_BACKEND"] = os.environ.get("TEST_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
# Fichiers statiques lus dans les applications (le manifeste de `collectstatic` n'existe pas en test).
os.environ.setdefault("STATIC_MANIFEST", "0")
