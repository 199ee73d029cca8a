# Set-up is a dependency of every target, so `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test bench lint browser

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[test,ray]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed node_modules/.installed

# Headless Chromium renders the HTML audit report in a test (Debian's package; root or sudo).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

demo: setup
	$(VENV)/bin/zkp-ledger demo

lint: setup
	$(VENV)/bin/lint-imports

test: lint browser
	$(VENV)/bin/python -m pytest -q

bench: setup
	$(VENV)/bin/python -m pytest benchmarks -q --benchmark-only
