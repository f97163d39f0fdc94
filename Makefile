# Kinerja: `make run` installs and serves the application, `make test` installs and runs every test.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
WEB_WORKERS ?= 2

.PHONY: run dev test install install-dev system frontend translations migrate demo static lint chromium clean

$(VENV)/bin/activate:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Re-installs only when the pin file changed since the last install.
$(VENV)/.installed: requirements.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: system $(VENV)/.installed frontend translations
install-dev: system $(VENV)/.installed-dev frontend translations

# WeasyPrint (PDF of SOPs and reports) draws text with Pango; DejaVu is the font the documents name.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
system:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; }

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend: node_modules/.package-lock.json
	./scripts/vendor_static.sh

translations:
	@command -v msgfmt >/dev/null || { apt-get update -qq && apt-get install -y -qq gettext >/dev/null; }
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

migrate:
	$(PY) manage.py migrate --no-input -v0

demo:
	$(PY) manage.py load_demo

static:
	$(PY) manage.py collectstatic --no-input -v0

run: install migrate demo static
	@echo "Kinerja on http://127.0.0.1:$(PORT)  (demo logins: see README)"
	PY=$(PY) PORT=$(PORT) WEB_WORKERS=$(WEB_WORKERS) ./scripts/serve.sh

dev: install migrate demo
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

test: install-dev chromium
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) node_modules static/vendor var/static
