# The two commands: `make run` (set up and run on the embedded default) and `make test`.
# Everything else is a step of those two, or a way to run the service's other processes locally.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PDS_PORT ?= 8001
# uv installs the locked requirements; pinned like everything else so installs are repeatable.
UV_VERSION := 0.13.9
FRONTEND_SOURCES := $(shell find static/src -name '*.scss' 2>/dev/null) scripts/build-frontend.mjs

.PHONY: install run test test-fast lint worker beat clean frontend lock bench

install: $(VENV)/.installed node_modules/.installed static/build/app.css

$(VENV)/.installed: requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-dev.lock
	touch $@

# npm ci installs exactly package-lock.json (and empties node_modules first, stamp included).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/build/app.css: node_modules/.installed $(FRONTEND_SOURCES)
	npm run --silent build

frontend: node_modules/.installed
	npm run --silent build

run: install
	mkdir -p var
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/ (fake NHS PDS on 127.0.0.1:$(PDS_PORT)) - press Ctrl-C to stop."
	@# The local fake PDS answers patient lookups; it stops with the web server.
	$(BIN)/python -m casework.integrations.fake_pds --port $(PDS_PORT) & pds=$$!; \
	trap 'kill $$pds 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Two processes (pytest-xdist), a test file each at a time, so a file's shared fixtures are built once.
TEST_PROCESSES ?= 2
test: install
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -m "not e2e and not integration" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The page benchmark at scale (bench/README.md): needs a running PostgreSQL; makes its datasets once.
BENCH_CASES ?= 1000000
BENCH_SERVER ?= postgres://postgres@127.0.0.1:5432
bench: install
	$(BIN)/python bench/run.py --cases $(BENCH_CASES) --server $(BENCH_SERVER)

# A worker or beat needs a broker: without REDIS_URL, tasks already run inside the web process.
NEED_BROKER = @test -n "$$REDIS_URL" || grep -q '^REDIS_URL=.' .env 2>/dev/null \
	|| { echo "Set REDIS_URL (in the environment or .env) to run $@." >&2; exit 1; }

worker: install
	$(NEED_BROKER)
	exec $(BIN)/celery -A phso worker --loglevel=INFO

beat: install
	$(NEED_BROKER)
	mkdir -p var
	exec $(BIN)/celery -A phso beat --loglevel=INFO --schedule var/celerybeat-schedule

# Regenerate both lock files from pyproject.toml, then install the result.
lock: $(VENV)/.installed
	$(BIN)/uv pip compile pyproject.toml -o requirements.lock --python-version 3.11 -q
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements-dev.lock --python-version 3.11 -q
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-dev.lock
	touch $(VENV)/.installed

clean:
	rm -rf $(VENV) node_modules static/build staticfiles var/test.sqlite3
