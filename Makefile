# The dev loop: `make up` runs sciport on this machine, `make test` runs every test.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SCIPORT := $(BIN)/python -m sciport
STAMP := $(VENV)/.installed
export SCIPORT_VAR_DIR ?= $(CURDIR)/var

.PHONY: up install messages browser test lint bench clean

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

# Browser tests drive Debian's Chromium; installed here when missing and we may (root).
browser:
	@{ command -v chromium >/dev/null && [ -d /usr/share/fonts/truetype/wqy ]; } || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; } || \
		echo "chromium missing: browser tests will be skipped (or fail under SCIPORT_TEST_REQUIRE=browser)"

test: install browser
	SCIPORT_VAR_DIR=$(CURDIR)/var/test $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
