# Two commands: `make run` (set up and serve the demo) and `make test` (set up and run every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PYTEST_ARGS ?= -n 2
export FLASK_APP := wsgi

.PHONY: run test setup translations extract-messages lint bench-help clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

translations: $(VENV)/.runtime
	$(BIN)/pybabel -q compile -d app/translations

setup: $(VENV)/.runtime translations
	$(BIN)/flask db upgrade
	$(BIN)/flask catalogue reindex --if-stale
	$(BIN)/flask seed-demo

run: setup
	@echo "IPEX on http://127.0.0.1:$(PORT) (demo logins printed above)"
	$(BIN)/gunicorn --workers 2 --threads 4 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

test: $(VENV)/.dev translations
	$(BIN)/ruff check .
	$(BIN)/python tests/run_suites.py $(PYTEST_ARGS)

# Re-extract translatable strings after changing templates or code, then translate the new entries.
extract-messages: $(VENV)/.runtime
	PYTHONPATH=. $(BIN)/pybabel -q extract -F app/translations/babel.cfg -k _l -k lazy_gettext -k N_ -o app/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel -q update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

lint: $(VENV)/.dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache
