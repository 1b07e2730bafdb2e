# `make demo` and `make test` work on a fresh machine with Python 3.11+ and pip: they create .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow test-browser bench corpus clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/tongbao extract corpus --out outputs --format parquet --format csv --format duckdb

test: $(STAMP)
	$(PY) -m pytest -q

test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow

# the report opened in headless Chromium; installs Debian's chromium when it is missing (needs root)
test-browser: $(STAMP)
	command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)
	$(PY) -m pytest -q -m browser

# the seeds rendered to PDF (byte-identical on each run; a test fails when they are stale)
corpus: $(STAMP)
	$(PY) -m tongbao.render --seeds corpus/

bench: $(STAMP)
	$(PY) benchmarks/bench_pdf.py
	$(PY) benchmarks/bench_matching.py
	$(PY) benchmarks/bench_narrative.py
	$(PY) benchmarks/bench_injection.py

clean:
	rm -rf $(VENV) outputs/*.parquet outputs/*.csv outputs/*.duckdb outputs/*.json outputs/*.html
