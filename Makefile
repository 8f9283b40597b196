# Point d'entrée unique : le README et la CI appellent ces cibles.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.12 ou plus récent (Django 6).
PYTHON := $(shell for p in python3.13 python3.12 python3; do \
	if $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PG_URL ?= postgres://postgres@127.0.0.1:5432/cestmachance
PYTEST_ARGS ?= -n auto
BENCH_ARGS ?= --candidates 1000000 --offers 200000

.PHONY: help run serve test lint migrations-check audit lock test-sqlite test-postgres bench bench-web drill drill-short clean

help:
	@echo "make run   : installe, prépare la base SQLite avec des données de démonstration et démarre le service"
	@echo "make serve : le service comme en production (gunicorn, worker, DEBUG=0) sur http://127.0.0.1:$${PORT:-8000}"
	@echo "make test  : lint, migrations à jour, audit des dépendances et tests sur PostgreSQL et SQLite"
	@echo "make lock  : régénère requirements.txt et requirements-dev.txt (versions et empreintes) depuis les .in"
	@echo "make drill : exercice de pannes (durées réelles) ; make drill-short : version courte de la CI"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 ou plus récent est nécessaire (python3.13 ou python3.12 introuvable)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Chaque paquet est vérifié par son empreinte (sha256) : un fichier modifié sur le registre est refusé.
$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $(VENV)/.run-deps $@

# Après toute modification de requirements.in ou requirements-dev.in (et après une fusion qui y touche) :
# `make lock` fige les nouvelles versions et leurs empreintes ; les versions déjà figées ne bougent pas.
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links
$(BIN)/pip-compile: | $(BIN)/python
	$(BIN)/pip install --quiet "$$(grep '^pip-tools==' requirements-dev.in)"

lock: | $(BIN)/pip-compile
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in

# Vulnérabilités connues des dépendances figées ; dit en une ligne si la base n'est pas joignable.
audit: $(VENV)/.dev-deps
	$(BIN)/python scripts/audit_dependencies.py

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: export DEBUG ?= 1
run: $(VENV)/.run-deps
	$(MANAGE) migrate --noinput
	$(MANAGE) import_geo --if-empty
	$(MANAGE) import_trades
	$(MANAGE) seed_demo --if-empty
	@echo "Service sur http://127.0.0.1:8000 (Ctrl+C pour arrêter)"
	$(MANAGE) worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:8000

# Les processus du Procfile (web et worker) avec les réglages de production : DEBUG=0, fichiers statiques
# à noms hachés servis par WhiteNoise, gunicorn sur $PORT (8000 par défaut). Base : SQLite locale ou
# DATABASE_URL. Cookies sans Secure (HTTP local) ; clé secrète générée une fois dans var/ si absente.
serve: export DEBUG = 0
serve: export STATIC_MANIFEST = 1
serve: export PORT ?= 8000
serve: export BIND_HOST ?= 127.0.0.1
serve: export ALLOWED_HOSTS ?= 127.0.0.1,localhost
serve: export SITE_URL ?= http://127.0.0.1:$(PORT)
serve: export SECURE_COOKIES ?= 0
serve: export SECURE_HSTS_SECONDS ?= 0
serve: export EMAIL_BACKEND ?= django.core.mail.backends.console.EmailBackend
serve: export PATH := $(CURDIR)/$(BIN):$(PATH)
serve: $(VENV)/.run-deps
	@mkdir -p var
	@test -s var/secret_key || $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key
	@test -s var/totp_key || $(BIN)/python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())' > var/totp_key
	export SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}"; \
	export TOTP_ENCRYPTION_KEY="$${TOTP_ENCRYPTION_KEY:-$$(cat var/totp_key)}"; \
	$(MANAGE) collectstatic --noinput -v 0 && \
	eval "$$(sed -n 's/^postdeploy: //p' Procfile)" && \
	$(MANAGE) import_geo --if-empty && \
	$(MANAGE) import_trades && \
	DEBUG=1 $(MANAGE) seed_demo --if-empty && \
	echo "Service sur http://127.0.0.1:$$PORT (DEBUG=0, Ctrl+C pour arrêter)" && \
	{ eval "$$(sed -n 's/^worker: //p' Procfile) --no-startup-delay" & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  eval "$$(sed -n 's/^web: //p' Procfile)"; }

# Le plan des imports d'ARCHITECTURE.md (« Qui importe qui ») : contrats dans pyproject.toml.
lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo --no-cache

migrations-check: $(VENV)/.dev-deps
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

# La base de test est créée à neuf à chaque lancement (comportement par défaut de pytest-django).
test-postgres: $(VENV)/.dev-deps node_modules/.installed
	DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS)

test-sqlite: $(VENV)/.dev-deps node_modules/.installed
	DATABASE_URL=sqlite:///$(CURDIR)/test.sqlite3 $(BIN)/pytest $(PYTEST_ARGS)

test: lint migrations-check audit test-postgres test-sqlite

# Mesures de la mise en relation (docs/performance.md) ; BENCH_DATABASE_URL pour PostgreSQL.
bench: $(VENV)/.dev-deps
	mkdir -p var
	DATABASE_URL=$${BENCH_DATABASE_URL:-sqlite:///$(CURDIR)/var/bench.sqlite3} $(BIN)/python benchmarks/matching.py $(BENCH_ARGS)

# Mesures du site web en charge (docs/performance.md) : gunicorn, wrk et nginx, base PostgreSQL à part.
BENCH_WEB_ARGS ?= --candidates 100000
bench-web: $(VENV)/.dev-deps
	@command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "wrk et nginx sont nécessaires : apt-get install -y wrk nginx"; exit 1; }
	$(BIN)/python benchmarks/web.py $(BENCH_WEB_ARGS)

# Exercice de pannes (scripts/drill.py) : ses propres PostgreSQL, Redis, SMTP, gunicorn et workers, sous
# charge, pendant qu'on tue, redémarre et refuse ; affiche les chiffres et échoue si quelque chose est perdu.
drill: $(VENV)/.dev-deps
	$(BIN)/python scripts/drill.py $(DRILL_ARGS)

drill-short: $(VENV)/.dev-deps
	$(BIN)/python scripts/drill.py --short $(DRILL_ARGS)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 db.sqlite3-* test.sqlite3
