"""OCR of scanned PDFs: an example bulletin rendered with an embedded CJK font, rasterised to an
image-only PDF (no text layer), read back by Tesseract.

The font is embedded (fonts-wqy-microhei or fonts-noto-cjk, installed by `make test-ocr`) because
the renderer's default STSong-Light is not embedded and rasterises without Chinese glyphs on a
machine without a system CJK font. Tests needing the engine are marked `ocr` (`make test-ocr`).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tongbao.check import run_checks
from tongbao.errors import ExtractionError
from tongbao.extract import ocr
from tongbao.extract.headers import clean_header
from tongbao.model import Document
from tongbao.normalize.text import clean_label
from tongbao.render.examples import score_bulletin
from tongbao.extract import read_document
from tongbao.render.hostile import image_only_pdf, partly_scanned_pdf
from tongbao.render.pdf import DEFAULT_FONT, render_pdf

CJK_FONTS = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
]
MIN_CELL_SHARE = 0.95
SPEC = score_bulletin()


def cjk_font() -> str | None:
    return next((f for f in CJK_FONTS if Path(f).exists()), None)


def new_doc(data: bytes) -> Document:
    return Document(doc_id=hashlib.sha256(data).hexdigest(), source_path="scan.pdf", format="pdf")


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> bytes:
    if not ocr.ocr_available():
        pytest.fail("OCR engine missing: run `make test-ocr` (installs tesseract-ocr and tesseract-ocr-chi-sim)")
    font = cjk_font()
    if font is None:
        pytest.fail("no CJK font to render the fixture with: `make test-ocr` installs fonts-wqy-microhei")
    out = tmp_path_factory.mktemp("ocr")
    good = render_pdf(SPEC, out / "score.pdf", font=font)
    return image_only_pdf(good, out / "score_scan.pdf", dpi=300).read_bytes()


@pytest.fixture(scope="module")
def doc(scan) -> Document:
    return run_checks(ocr.read_scanned_pdf(scan, new_doc(scan)))


def test_engine_off_gives_the_install_hint(monkeypatch):
    """Without the engine a scan keeps failing, with the reason and how to install OCR (no engine needed)."""
    monkeypatch.setenv("TONGBAO_OCR", "0")
    assert not ocr.ocr_available()
    assert ocr.maybe_ocr(b"%PDF-1.4", new_doc(b"x")) is None
    with pytest.raises(ExtractionError, match=r"no text layer \(scanned PDF\): install OCR with `make ocr`"):
        ocr.read_scanned_pdf(b"%PDF-1.4", new_doc(b"x"))


def test_fix_number_is_deliberate():
    assert ocr.fix_number("1O.5") == "10.5"
    assert ocr.fix_number("８９．８") == "89.8"
    assert ocr.fix_number("l2") == "12"
    assert ocr.fix_number("9.:") == "9.:"  # not a number once mapped: left as read
    assert ocr.fix_number("市水利局") == "市水利局"
    assert ocr.fix_number("ABC") == "ABC"  # no digit: never mapped
    assert ocr._choose_number("A0O2", "02") == "A02" and ocr._choose_number("7Z111", "7111") == "7111"
    assert ocr._choose_number("77", "7.7") == "7.7" and ocr._choose_number("9.:", "9.1") == "9.1"
    assert ocr.fix_brackets("市住建局〈含市房屋交易中心)") == "市住建局（含市房屋交易中心)"


@pytest.mark.ocr
def test_metadata(doc):
    assert doc.n_pages == 3 and len(doc.page_offsets) == 3
    assert doc.doc_number == SPEC.doc_number  # 江政务督〔2023〕7号, brackets as printed
    assert doc.issue_date == "2023-06-12"
    assert doc.status == "ok"


@pytest.mark.ocr
def test_tables_marked_as_ocr(doc):
    assert len(doc.tables) == 2
    assert all(t.method == ocr.METHOD and "OCR" in t.method_reason for t in doc.tables)
    assert any(f.check == "ocr" and f.severity == "info" for f in doc.findings)


def cell_share(doc: Document) -> tuple[int, int]:
    """(right, total) over the score table's body cells, against the spec."""
    table = SPEC.tables[0]
    got = next(t for t in doc.tables if t.annex == table.annex)
    right = total = 0
    for r, spec_row in enumerate(table.rows):
        cells = got.rows[r] if r < len(got.rows) else []
        for c, text in enumerate(spec_row):
            total += 1
            right += c < len(cells) and cells[c].text == clean_label(text)
    return right, total


@pytest.mark.ocr
def test_score_table(doc):
    table = SPEC.tables[0]
    got = next(t for t in doc.tables if t.annex == table.annex)
    expected = [" / ".join(clean_header(x) for x in p) for p in table.leaf_paths()]
    assert [c.header_path for c in got.columns] == expected
    assert got.n_rows == len(table.rows)
    right, total = cell_share(doc)
    assert right / total >= MIN_CELL_SHARE, f"{right}/{total} cells right"
    for cell in got.cells():  # boxes in PDF points, on the annex page, inside the A4 page
        assert cell.page == 2 and 0 <= cell.x0 < cell.x1 <= 596 and 0 <= cell.top < cell.bottom <= 842


@pytest.mark.ocr
def test_duty_table_unstacked(doc):
    duty = next(t for t in doc.tables if t.annex == "附件2")
    assert [c.header_path for c in duty.columns] == ["窗口单位", "值周情况(次)"]
    values = sorted(c.value for c in duty.cells() if c.value is not None)
    expected = sorted(float(r[i]) for r in SPEC.tables[1].rows for i in (1, 3) if r[i])
    assert values == expected


@pytest.mark.ocr
def test_row_sums_checked_without_false_errors(doc):
    """The score table's rows add up to their 合计: the sum checks run and raise no error."""
    assert not [f for f in doc.findings if f.severity == "error"], [f.message for f in doc.findings if f.severity == "error"]
    assert any(f.check == "row_sum" and f.severity == "pass" for f in doc.checks)


@pytest.mark.ocr
def test_maybe_ocr_reads(scan):
    got = ocr.maybe_ocr(scan, new_doc(scan))
    assert got is not None and got.doc_number == SPEC.doc_number


@pytest.fixture(scope="module")
def partly_scanned(tmp_path_factory) -> Path:
    """The score bulletin with its annex page 2 (the score table) scanned; pages 1 and 3 keep their text."""
    out = tmp_path_factory.mktemp("mixed")
    good = render_pdf(SPEC, out / "score.pdf", font=cjk_font() or DEFAULT_FONT)
    return partly_scanned_pdf(good, out / "score_mixed.pdf", [2], dpi=300)


def test_partly_scanned_pdf_without_ocr_names_the_pages_it_could_not_read(partly_scanned, monkeypatch):
    monkeypatch.setenv("TONGBAO_OCR", "0")
    doc = read_document(partly_scanned)
    assert doc.status == "ok" and doc.n_pages == 3
    assert [t.annex for t in doc.tables] == ["附件2"]  # page 3's table, from the text layer
    warning = [f for f in doc.findings if f.check == "ocr"]
    assert [(f.severity, "scanned page 2" in f.message) for f in warning] == [("warning", True)]


@pytest.mark.ocr
def test_partly_scanned_pdf_reads_the_scanned_page_by_ocr(partly_scanned):
    doc = run_checks(read_document(partly_scanned))
    assert doc.status == "ok" and doc.doc_number == SPEC.doc_number
    methods = {t.annex: t.method for t in doc.tables}
    assert methods == {"附件1": ocr.METHOD, "附件2": "pdfplumber"}
    right, total = cell_share(doc)
    assert right / total >= MIN_CELL_SHARE, f"{right}/{total} cells right"
    assert [f.severity for f in doc.findings if f.check == "ocr"] == ["info"]
