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

.PHONY: help run test lint migrations-check test-sqlite test-postgres bench drill drill-short clean

help:
	@echo "make run   : installe, prépare la base SQLite avec des données de démonstration et démarre le service"
	@echo "make test  : lint, migrations à jour et tests sur PostgreSQL et SQLite"
	@echo "make drill : exercice de pannes (durées réelles) ; make drill-short : version courte de la CI"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 ou plus récent est nécessaire (python3.13 ou python3.12 introuvable)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.run-deps $@

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

test: lint migrations-check test-postgres test-sqlite

# Mesures de la mise en relation (docs/performance.md) ; BENCH_DATABASE_URL pour PostgreSQL.
bench: $(VENV)/.dev-deps
	mkdir -p var
	DATABASE_URL=$${BENCH_DATABASE_URL:-sqlite:///$(CURDIR)/var/bench.sqlite3} $(BIN)/python benchmarks/matching.py $(BENCH_ARGS)

# Exercice de pannes (scripts/drill.py) : ses propres PostgreSQL, Redis, SMTP, gunicorn et workers, sous
# charge, pendant qu'on tue, redémarre et refuse ; affiche les chiffres et échoue si quelque chose est perdu.
drill: $(VENV)/.dev-deps
	$(BIN)/python scripts/drill.py $(DRILL_ARGS)

drill-short: $(VENV)/.dev-deps
	$(BIN)/python scripts/drill.py --short $(DRILL_ARGS)

clean:
	rm -rf $(VENV) node_modules db.sqlite3 db.sqlite3-* test.sqlite3
