# The dev loop: `make up` runs sciport on this machine, `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SCIPORT := $(BIN)/python -m sciport
STAMP := $(VENV)/.installed
export SCIPORT_VAR_DIR ?= $(CURDIR)/var

.PHONY: up install messages test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) messages

# Compiled translations are built from the committed .po files (no GNU gettext needed).
messages: $(STAMP)
	$(BIN)/python -m sciport.core.i18n_compile

up: install
	$(SCIPORT) migrate --no-input -v0
	$(SCIPORT) createcachetable
	$(SCIPORT) demo
	@echo "sciport: http://$${SCIPORT_HOST:-127.0.0.1}:$${SCIPORT_PORT:-8000}/  (API docs: /api/v1/docs)"
	$(SCIPORT) serve --with-worker

test: install
	$(BIN)/pip install --quiet -e '.[test]'
	SCIPORT_VAR_DIR=$(CURDIR)/var/test $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
