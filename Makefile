# One command runs the app (`make run`), one passes the tests (`make test`). Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run try test install migrate check-manifest browser playground

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/.installed

# The local Teams client `make try` runs (pinned in tryout/playground/package-lock.json), and the browser the
# browser test drives it with (Debian's Chromium: scripts/install-browser).
PLAYGROUND := tryout/playground/node_modules/.package-lock.json
$(PLAYGROUND): tryout/playground/package-lock.json
	cd tryout/playground && npm ci --no-audit --no-fund --loglevel=error
	touch $@

playground: $(PLAYGROUND)

browser:
	scripts/install-browser

# The app and the clock (the Procfile's web: or worker:, and clock:); Ctrl-C stops both.
run: install
	$(BIN)/python -m bot

# See it working: the app in Microsoft 365 Agents Playground on this machine, with a demo organisation.
try: install playground
	$(BIN)/python -m tryout $(if $(TRY_APP_PORT),--app-port $(TRY_APP_PORT)) $(if $(TRY_PAGE_PORT),--page-port $(TRY_PAGE_PORT))

migrate: install
	$(BIN)/python -m flows migrate

test: install playground browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# One manifest for HTTP mode, one for Socket Mode (README.md, Quick start).
check-manifest:
	../shared/tools/check-manifest manifest.yml
	../shared/tools/check-manifest manifest.socket-mode.yml
