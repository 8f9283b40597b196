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

.PHONY: help run test lint migrations-check audit lock test-sqlite test-postgres bench clean

help:
	@echo "make run   : installe, prépare la base SQLite avec des données de démonstration et démarre le service"
	@echo "make test  : lint, migrations à jour, audit des dépendances et tests sur PostgreSQL et SQLite"
	@echo "make lock  : régénère requirements.txt et requirements-dev.txt (versions et empreintes) depuis les .in"

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

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: $(VENV)/.dev-deps
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run

test-postgres: $(VENV)/.dev-deps node_modules/.installed
	DATABASE_URL=$(PG_URL) $(BIN)/pytest --create-db $(PYTEST_ARGS)

test-sqlite: $(VENV)/.dev-deps node_modules/.installed
	DATABASE_URL=sqlite:///$(CURDIR)/test.sqlite3 $(BIN)/pytest --create-db $(PYTEST_ARGS)

test: lint migrations-check audit test-postgres test-sqlite

# Mesures de la mise en relation (docs/performance.md) ; BENCH_DATABASE_URL pour PostgreSQL.
bench: $(VENV)/.dev-deps
	mkdir -p var
	DATABASE_URL=$${BENCH_DATABASE_URL:-sqlite:///$(CURDIR)/var/bench.sqlite3} $(BIN)/python benchmarks/matching.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 db.sqlite3-* test.sqlite3
