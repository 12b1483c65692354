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
# Each PostgreSQL test creates and drops a database: ~15 ms when the server's files are in
# memory, 100-400 ms of kernel time on this machine's disk. So the tests' server keeps its
# files on tmpfs when /dev/shm has 2 GB free, on a port of its own (a server already running
# on the default port is left alone); without that room it is the default server.
TEST_PG_PORT ?= 54339
TEST_PG_DATA ?= /dev/shm/phoihop-pg-$(TEST_PG_PORT)
TEST_PG = $(if $(shell df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 && $$4 > 2097152'),PHOIHOP_PG_PORT=$(TEST_PG_PORT) PHOIHOP_PG_DATA=$(TEST_PG_DATA))

# The tests run in TEST_WORKERS processes (pytest-xdist; 0: in this one); the browser
# tests stay together on one worker, which starts one Chromium.
TEST_WORKERS ?= 2

test: setup
	@eval "$$($(TEST_PG) scripts/postgres.sh start)"; export PHOIHOP_TEST_POSTGRES_URL; \
	$(BIN)/python -m pytest -rs -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o core/translations/messages.pot .
	$(BIN)/pybabel update -i core/translations/messages.pot -d core/translations -D messages
	$(BIN)/pybabel compile -d core/translations -D messages
	$(BIN)/pybabel compile -d core/translations -D admin

benchmark: setup
	$(BIN)/python benchmarks/sync.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache build *.egg-info
