# `make demo` and `make test` work on a fresh machine with Python 3.11+ and pip: they create .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow test-without-fonts test-browser test-ocr ocr tesseract bench bench-ocr corpus fixtures-libreoffice clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/tongbao extract corpus --out outputs --format parquet --format csv --format duckdb

# hypothesis replays the same examples on every run and machine (tests/conftest.py)
test: $(STAMP)
	$(PY) -m pytest -q

# the long round trips, and every property-based test exploring new random examples
test-slow: $(STAMP)
	TONGBAO_HYPOTHESIS=explore $(PY) -m pytest -q -m "slow or hypothesis"

# `make test` as on a machine without fonts: the system's font folders hidden (root or user namespaces)
test-without-fonts: $(STAMP)
	tests/tools/without_system_fonts.sh $(MAKE) test

# the report opened in headless Chromium; installs Debian's chromium when it is missing (needs root)
test-browser: $(STAMP)
	command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)
	$(PY) -m pytest -q -m browser

# OCR for scanned PDFs is RapidOCR, installed from pip with tongbao (models inside the wheel, no root,
# nothing downloaded at run time). Tesseract stays an optional fallback: `make tesseract` (needs root).
ocr: $(STAMP)
	$(PY) -c "from tongbao.extract import ocr_engine; assert ocr_engine.available(), 'rapidocr/onnxruntime missing'"

tesseract:
	command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx chi_sim || \
	  (apt-get update -q && apt-get install -y -q tesseract-ocr tesseract-ocr-chi-sim)

# realistic scans (rendered with the bundled font, scanned in the test) read back by RapidOCR
test-ocr: $(STAMP) ocr
	$(PY) -m pytest -q -m ocr

bench-ocr: $(STAMP) ocr
	$(PY) benchmarks/bench_ocr.py

# the seeds rendered to PDF (byte-identical on each run; a test fails when they are stale)
corpus: $(STAMP)
	$(PY) -m tongbao.render --seeds corpus/

# the examples and the seeds as DOCX exported to PDF by LibreOffice (committed; rebuilt only when they change)
fixtures-libreoffice: $(STAMP)
	command -v soffice >/dev/null || (apt-get update -q && apt-get install -y -q --no-install-recommends libreoffice-writer-nogui)
	test -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc || (apt-get update -q && apt-get install -y -q fonts-wqy-microhei)
	$(PY) -m tongbao.render --libreoffice tests/fixtures/libreoffice corpus/*.txt

bench: $(STAMP)
	$(PY) benchmarks/bench_pdf.py
	$(PY) benchmarks/bench_matching.py
	$(PY) benchmarks/bench_narrative.py
	$(PY) benchmarks/bench_injection.py
	$(PY) benchmarks/bench_batch.py

# batches (issue 15): convert_batch against pdfplumber, 1 vs 2 workers, memory from 100 to 2,000 files, reruns (~10 min)
bench-batch: $(STAMP)
	$(PY) benchmarks/bench_batch.py

clean:
	rm -rf $(VENV) outputs/*.parquet outputs/*.csv outputs/*.duckdb outputs/*.json outputs/*.html
