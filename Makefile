# Two commands on a fresh machine: `make run` and `make test`. Everything lands in .venv/.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
CODEX_PREFIX := $(VENV)/codex
CODEX  := $(CODEX_PREFIX)/node_modules/.bin/codex
CODEX_VERSION ?= 0.169.0
SPECIFY_VENV := $(VENV)/specify
SPECIFY := $(SPECIFY_VENV)/bin/specify
SCRATCH := .scratch/demo

.PHONY: setup tools run test test-unit test-ui test-integration bench lint screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Real binaries the integration tests drive: the Codex CLI (npm) and Spec Kit's `specify` (PyPI),
# each installed beside the project venv so they never disturb its dependencies.
$(CODEX):
	mkdir -p $(CODEX_PREFIX)
	npm install --silent --no-audit --no-fund --prefix $(CODEX_PREFIX) @openai/codex@$(CODEX_VERSION)

$(SPECIFY):
	$(PYTHON) -m venv $(SPECIFY_VENV)
	$(SPECIFY_VENV)/bin/python -m pip install -q specify-cli

tools: $(CODEX) $(SPECIFY)

run: setup
	$(PY) -m specui.devtools.sample $(SCRATCH)
	$(VENV)/bin/specui $(SCRATCH)

test: setup tools
	PATH="$(abspath $(CODEX_PREFIX))/node_modules/.bin:$(abspath $(SPECIFY_VENV))/bin:$$PATH" \
	  $(PY) -m pytest -q

test-unit: setup
	$(PY) -m pytest -q tests/unit

bench: setup
	$(PY) bench/run_all.py

lint: setup
	$(VENV)/bin/ruff check specui tests bench

screenshot: setup
	$(PY) -m specui.devtools.screenshot samples/screenshots/workbench.svg

clean:
	rm -rf $(VENV) .scratch
