# phoihop — two commands do all the set-up:
#   make run    build the demo site (SQLite + local workbooks) and serve the admin
#   make test   install what the tests need into .venv and pass the tests
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := demo
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test setup demo translations benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip "setuptools>=68" wheel
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/phoihop demo --dir $(DEMO) --force

run: demo
	PHOIHOP_CONFIG=$(DEMO)/phoihop.cfg $(BIN)/phoihop serve --host $(HOST) --port $(PORT)

# PostgreSQL runs too when it is installed (scripts/postgres.sh install); otherwise the
# PostgreSQL variants are skipped and pytest's summary (-rs) says which and why.
test: setup
	@eval "$$(scripts/postgres.sh start)"; export PHOIHOP_TEST_POSTGRES_URL; \
	$(BIN)/python -m pytest -rs $(PYTEST_ARGS)

translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o core/translations/messages.pot .
	$(BIN)/pybabel update -i core/translations/messages.pot -d core/translations -D messages
	$(BIN)/pybabel compile -d core/translations -D messages
	$(BIN)/pybabel compile -d core/translations -D admin

benchmark: setup
	$(BIN)/python benchmarks/sync.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache build *.egg-info
