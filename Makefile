# Two commands: `make run` serves the directory with its real seed data; `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test bench smoke load lint format migration clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# A random key made once per checkout, so a local server never runs with a guessable one.
instance/secret_key:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@
	chmod 600 $@

run: $(VENV)/.runtime instance/secret_key
	export SECRET_KEY=$${SECRET_KEY:-$$(cat instance/secret_key)}; \
	$(BIN)/flask db upgrade && \
	$(BIN)/flask seed load --if-empty && \
	$(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) wsgi:app

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL)"; \
		DIRECTORY_TEST_DB=postgresql $(BIN)/pytest $(PYTEST_ARGS); \
	fi

bench: $(VENV)/.dev
	$(BIN)/python -m bench

# The real national seed in a fresh database, served by gunicorn as `run` does, every public
# route kind requested: fails on any error answer or any answer slower than 5 s.
smoke: $(VENV)/.dev
	$(BIN)/python -m bench.smoke

load: $(VENV)/.dev
	$(BIN)/python -m bench.load

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Until the first release the schema is one migration, regenerated from the models.
migration: $(VENV)/.dev
	rm -f migrations/versions/*_initial_schema.py
	tmp=$$(mktemp -u /tmp/hrd-migration-XXXXXX.db); \
	DATABASE_URL=sqlite:///$$tmp FLASK_ENV_NAME=development $(BIN)/flask db migrate -m "initial schema" --rev-id 0001; \
	rm -f $$tmp*

clean:
	rm -rf $(VENV) instance/directory.db* .pytest_cache
