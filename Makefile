# The README's two commands are `make run` and `make test`. Both set up what is missing (Debian packages,
# a virtualenv with the pinned requirements) and are quick to re-run: each step is skipped when done.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Debian packages: libpq-dev builds psycopg2; pango and fonts let WeasyPrint render; chromium and
# poppler-utils drive the browser tests and read PDFs back in tests; qpdf checks every PDF made is sound.
DEBS_RUN := libpq-dev gcc python3-dev libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
DEBS_TEST := chromium poppler-utils qpdf

.PHONY: run test lint format setup setup-test debs debs-test assets clean

# `make run` serves the portal and, in the background beside it, the periodic jobs' scheduler (there is no
# Celery beat on the embedded default): its first pass runs at once whatever is due; it stops with the server.
run: setup
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo
	@echo "SCR Portal: http://$(HOST):$(PORT)/  (demo logins are listed in README.md)"
	@echo "Periodic jobs (reminders, deadline notices, sweeps): run beside the server by manage.py run_periodic"
	DEBUG=$${DEBUG:-1} $(PY) manage.py run_periodic & scheduler=$$!; trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

test: setup-test
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r scr_portal reviews commissioning conduct responses markers documents records dashboards demo
	$(VENV)/bin/lint-imports --no-cache

format: setup-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

setup: debs $(VENV)/.installed-run
setup-test: debs debs-test $(VENV)/.installed-test

# Installs whichever of the packages is missing; nothing when all are there.
define install_debs
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

debs:
	$(call install_debs,$(DEBS_RUN))
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || { \
		echo "Installing python3-venv"; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; }

debs-test:
	$(call install_debs,$(DEBS_TEST))

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-test: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-run

# Rebuilds static/css and static/vendor from npm (only needed when changing styles or upgrading;
# the built files are committed so running the portal needs no Node.js).
assets:
	npm install --no-audit --no-fund
	npm run build

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .ruff_cache
