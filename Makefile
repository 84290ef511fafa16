# One command runs the app (`make run`), one passes the tests (`make test`). Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install migrate check-manifest

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/.installed

# The app and the clock (the Procfile's web: or worker:, and clock:); Ctrl-C stops both.
run: install
	$(BIN)/python -m bot

migrate: install
	$(BIN)/python -m flows migrate

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# One manifest for HTTP mode, one for Socket Mode (README.md, Quick start).
check-manifest:
	../shared/tools/check-manifest manifest.yml
	../shared/tools/check-manifest manifest.socket-mode.yml
