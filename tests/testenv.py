"""Réglages d'environnement de la suite de tests (les mêmes variables qu'en production)."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key")
os.environ.setdefault("SITE_URL", "http://testserver")
# Clé de chiffrement des secrets TOTP, propre aux tests (une clé Fernet : 32 octets en base64).
os.environ.setdefault("TOTP_ENCRYPTION_KEY", "dGVzdHMtb25seS10b3RwLWtleS0zMi1ieXRlcyEhISE=")
os.environ["TASKS_BACKEND"] = os.environ.get("TEST_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend")
# Fichiers statiques lus dans les applications (le manifeste de `collectstatic` n'existe pas en test).
os.environ.setdefault("STATIC_MANIFEST", "0")
# Le serveur des tests de navigateur tourne dans le processus des tests : sa connexion reçoit le délai des
# requêtes du site web, et c'est elle qui vide ensuite la base (TRUNCATE de toutes les tables). Sur une machine
# chargée, cela dépasse les 10 s de la production ; les tests du délai posent le leur (tests/security).
os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT_MS", "60000")
