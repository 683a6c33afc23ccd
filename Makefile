# make run   – set up .venv and start the dashboard on the demo data (or the store, if it has data)
# make test  – the same set-up, then lint and every test (browser tests included)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: run test test-fast lint unit e2e chromium libreoffice demo exempel kolada-bild bench snapshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(DEVSTAMP): requirements.txt requirements-dev.txt $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Listens on 127.0.0.1 only, unless sign-in ([auth] in .streamlit/secrets.toml) is configured
# (README, Inloggning, roller och drift); the address comes from jamstalldhet/base/access.py.
run: $(STAMP)
	$(BIN)/python -m compileall -q jamstalldhet pages dashboard.py >/dev/null  # as an installed package has: no compiling at every start
	address="$$($(BIN)/python -m jamstalldhet.base.access)" && exec $(BIN)/streamlit run dashboard.py --server.address "$$address"

# Debian's chromium for the browser tests (CI runs as root); playwright cannot download one here.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core time >/dev/null; \
	  else echo "Installera Debians chromium: sudo apt-get install chromium" >&2; exit 1; fi; \
	fi

# Debian's LibreOffice Calc (headless) for the test that opens every download as an analyst would (issue 27).
libreoffice:
	@if ! command -v soffice >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui >/dev/null; \
	  else echo "Installera Debians LibreOffice Calc: sudo apt-get install libreoffice-calc-nogui" >&2; exit 1; fi; \
	fi

lint: $(DEVSTAMP)
	$(BIN)/ruff check jamstalldhet pages tests bench dashboard.py
	$(BIN)/mypy --strict jamstalldhet pages dashboard.py

# The quick tier: unit tests of the package, without pages, browser or the attack (marked slow at the test),
# property tests with few examples (the "fast" hypothesis profile of tests/conftest.py).
test-fast: $(DEVSTAMP)
	HYPOTHESIS_PROFILE=fast $(BIN)/python -m pytest -q -n 2 -m "not slow" tests --ignore=tests/e2e

unit: $(DEVSTAMP) libreoffice
	$(BIN)/python -m pytest -q tests --ignore=tests/e2e

e2e: $(DEVSTAMP) chromium
	$(BIN)/python -m pytest -q tests/e2e

test: $(DEVSTAMP) chromium libreoffice lint
	$(BIN)/python -m pytest -q -n 2 tests jamstalldhet

# The golden snapshots of what the demo publishes (tests/snapshots/); review the diff before committing.
snapshots: $(DEVSTAMP)
	$(BIN)/python -m tests.test_snapshots

demo: $(STAMP)
	$(BIN)/python -m jamstalldhet demo --out data/demo/deltagare.parquet

# Benchmark vs polars and DuckDB (bench/requirements.txt); writes BENCHMARKS.md. Takes a while.
bench: $(DEVSTAMP) chromium
	$(BIN)/python -m bench.run

# The committed example report for the demo year 2018 (HTML, PDF) in docs/exempel/.
exempel: $(STAMP) chromium
	mkdir -p docs/exempel
	# a fixed key for the synthetic demo, so that the filtered tables' noise is the same on every machine
	JAMSTALLDHET_STORE=/nonexistent JAMSTALLDHET_KEY=demodata-exempel $(BIN)/python -m jamstalldhet report --year 2018 --demo \
	  --out docs/exempel/jamstalldhet_2018.html --pdf docs/exempel/jamstalldhet_2018.pdf

# The closing note's picture of issue 29: the Jämförelse chart of the demo beside the shipped Borås series.
kolada-bild: $(STAMP) chromium
	JAMSTALLDHET_STORE=/nonexistent JAMSTALLDHET_KEY=demodata-exempel $(BIN)/python -m docs.kolada_jamforelse

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
