"""OCR of scanned PDFs with RapidOCR, on realistic scans made in the test: bulletins rendered with
the bundled CJK font, rasterised at 200 dpi, turned ±1.5°, noised, JPEG-compressed, a red seal over
part of a table (tongbao.render.scans), read back and compared with the spec.

The default run holds one scanned table page (the seal on it) and the clean-up's units; the
examples, the seeds and a partly scanned bulletin are under the `ocr` marker (`make test-ocr`).
"""
from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np
import pytest

from tongbao.check import run_checks
from tongbao.errors import ExtractionError
from tongbao.extract import ocr, ocr_engine, read_document, scan_cleanup
from tongbao.model import Document
from tongbao.normalize.text import clean_label, squeeze_spaces
from tongbao.pipeline import process_file
from tongbao.render.examples import examples, score_bulletin
from tongbao.render.pdf import render_pdf
from tongbao.render.scans import ScanStyle, draw_seal, partly_scanned, realistic_scan, scan_pages
from tongbao.render.seeds import seed_file_to_spec

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SEEDS = ["000_83eaf865cf8a629d.txt", "001_019204d22be93a6a.txt", "004_4b200b6a30fe016d.txt"]
MIN_RECALL = 0.98
SPEC = score_bulletin()

needs_engine = pytest.mark.skipif(not ocr_engine.available(), reason="rapidocr/onnxruntime not installed")


def new_doc(data: bytes, name: str = "scan.pdf") -> Document:
    return Document(doc_id=hashlib.sha256(data).hexdigest(), source_path=name, format="pdf")


def spec_rows(table_spec, got) -> list[list[str]]:
    """The spec's rows as the reader gives them: a side-by-side table unstacked."""
    if got is not None and len(got.columns) * 2 == table_spec.n_cols:
        half = table_spec.n_cols // 2
        return [r[:half] for r in table_spec.rows] + [r[half:] for r in table_spec.rows if any(r[half:])]
    return table_spec.rows


def compare(spec, doc: Document) -> tuple[int, int, list]:
    """(cells right, cells printed, cells wrong but not unsure) over every table of the spec."""
    right = total = 0
    sure_wrong = []
    for ts in spec.tables:
        # by title (a spec table printed without 附件N may be given one from the document's annex list,
        # as the text layer's reader does), else by annex
        got = next((t for t in doc.tables if t.title and clean_label(ts.title) in t.title
                    and (ts.annex is None or t.annex == ts.annex)),
                   next((t for t in doc.tables if t.annex == ts.annex), None))
        for r, row in enumerate(spec_rows(ts, got)):
            cells = {c.col: c for c in (got.rows[r] if got is not None and r < len(got.rows) else [])}
            for ci, text in enumerate(row):
                if not text.strip():
                    continue
                total += 1
                cell = cells.get(ci)
                ok = cell is not None and cell.text == clean_label(text)
                right += ok
                if cell is not None and not ok and not cell.unsure:
                    sure_wrong.append((ts.annex, r, ci, text, cell.text, cell.ocr_score))
    return right, total, sure_wrong


# ---------------------------------------------------------------- no engine needed


def test_engine_off_gives_the_install_hint(monkeypatch):
    monkeypatch.setenv("TONGBAO_OCR", "0")
    assert not ocr.ocr_available()
    assert ocr.maybe_ocr(b"%PDF-1.4", new_doc(b"x")) is None
    with pytest.raises(ExtractionError, match=r"no text layer \(scanned PDF\): install OCR"):
        ocr.read_scanned_pdf(b"%PDF-1.4", new_doc(b"x"))


def test_fix_number_is_deliberate():
    assert ocr.fix_number("1O.5") == "10.5"
    assert ocr.fix_number("８９．８") == "89.8"
    assert ocr.fix_number("l2") == "12"
    assert ocr.fix_number("9.:") == "9.:"  # not a number once mapped: left as read
    assert ocr.fix_number("市水利局") == "市水利局"
    assert ocr.fix_number("〔2022〕") == "〔2022〕" and ocr.fix_number("第1，2项") == "第1，2项"  # no blanket NFKC
    assert ocr.doubtful_number("9.:") and ocr.doubtful_number("8.6.1") and not ocr.doubtful_number("8.6")
    assert not ocr.doubtful_number("市水利局")
    assert ocr.fix_brackets("市住建局〈含市房屋交易中心)") == "市住建局（含市房屋交易中心)"


def test_models_come_from_the_wheel():
    """The engine is configured with the wheel's own model files, so RapidOCR never fetches one."""
    paths = ocr_engine.model_paths()
    if paths is None:
        pytest.skip("rapidocr not installed")
    assert all(p.is_file() and ("site-packages" in str(p) or "dist-packages" in str(p)) for p in paths.values())


def _page(angle: float = 0.0) -> np.ndarray:
    """A synthetic grey page: rules and text-like bars, turned by `angle`."""
    img = np.full((1200, 900), 255, np.uint8)
    for y in range(150, 1050, 60):
        img[y:y + 2, 100:800] = 0  # rules
        img[y + 20:y + 40, 120:760:40] = 0
        for x in range(120, 760, 40):
            img[y + 20:y + 40, x:x + 26] = 40  # characters
    return scan_cleanup.rotate(img, angle) if angle else img


@pytest.mark.parametrize("angle", [-2.0, -0.7, 1.3, 2.0])
def test_skew_is_measured_within_a_tenth_of_a_degree(angle):
    assert abs(scan_cleanup.skew_angle(_page(angle)) + angle) <= 0.1


def test_seal_removed_black_print_and_red_header_kept():
    import random

    rgb = np.repeat(_page()[..., None], 3, axis=2)
    rgb[40:90, 100:800] = (210, 20, 30)  # a red header line of type: wide and low
    sealed = draw_seal(rgb, (450, 600), 320, random.Random(0))
    for_lines, for_text = scan_cleanup.remove_seals(sealed)
    black = _page() < 128
    region = np.zeros_like(black)
    region[440:760, 290:610] = True
    seal_ink = (np.abs(sealed.astype(int) - rgb.astype(int)).sum(axis=2) > 60) & ~black
    assert (for_text[seal_ink & region] > 200).mean() > 0.95  # the seal is paper for reading
    assert (for_text[black & region] < 128).mean() > 0.95  # the print under it is still black
    assert (for_lines[black & region] < 128).mean() > 0.95
    assert (for_text[40:90, 100:800] < 128).mean() > 0.95  # the red header stays


def _scored_table(rows: list[list[str]]):
    from tongbao.extract.tables import RawCell, TableParts, assemble

    header = [["部门", "党建(10分)", "宣传(10分)", "合计"]]
    body = [[RawCell(t, 1, score=0.999) for t in row] for row in rows]
    return assemble(TableParts(header=header, body=body, method=ocr.METHOD_RAPID), "d", "t")


def test_ocr_value_that_cannot_be_of_its_column_is_unsure_unless_its_row_adds_up():
    """99 under 党建(10分) (a decimal point lost: 9.9) is unsure when the row's total does not
    reconcile it; the same misfit in a row that adds up is the document's, left sure for the checks."""
    table, findings = _scored_table([["甲", "9.5", "8", "17.5"], ["乙", "99", "8.1", "18"], ["丙", "12", "7", "19"],
                                     ["丁", "9", "7", "16"], ["戊", "8.5", "9", "17.5"]])
    unsure = {(c.row, c.text) for r in table.rows for c in r if c.unsure}
    assert unsure == {(1, "99")}
    assert [f.check for f in findings] == ["extraction_unsure"] and "99" in findings[0].message


def test_ocr_value_with_fewer_decimals_than_its_column_is_unsure():
    from tongbao.extract.tables import RawCell, TableParts, assemble

    header = [["地区", "评价数", "百分比"]]
    rows = [["甲", "5", "0.01%"], ["乙", "7", "0.02%"], ["丙", "9", "1%"], ["丁", "4", "0.01%"]]
    body = [[RawCell(t, 1, score=0.999) for t in row] for row in rows]
    table, _ = assemble(TableParts(header=header, body=body, method=ocr.METHOD_RAPID), "d", "t")
    assert {c.text for r in table.rows for c in r if c.unsure} == {"1%"}


def test_overlapping_detected_lines_keep_the_character_after_the_overlap():
    """Two boxes of one title line overlap by their padding only: the later line's first character
    (right of the earlier line's last character) is kept; a character read twice is dropped once."""
    from tongbao.extract.ocr_engine import Char

    def word(text, x0, step=40):
        chars = [Char(ch, 1.0, x0 + i * step, 10, x0 + (i + 1) * step, 50) for i, ch in enumerate(text)]
        return ocr.Word(text, x0 - 12, 8, x0 + len(text) * step + 12, 52, 1.0, chars)

    padded = ocr.drop_overlaps([word("好差评”", 100), word("8月考评表", 265)])
    assert "".join(w.text for w in padded) == "好差评”8月考评表"
    twice = ocr.drop_overlaps([word("好差评”5", 100), word("5月考评表", 265)])
    assert "".join(w.text for w in twice) == "好差评”5月考评表"


def test_a_rule_broken_by_the_scan_still_separates_cells():
    """A vertical rule cut into short runs (JPEG, noise) is bridged when deciding merged cells, and
    no rule is made of characters stacked a line apart."""
    img = np.full((300, 1650), 255, np.uint8)  # rules found at 1/40 of the width: 41 px
    for y in (20, 120, 220):
        img[y:y + 2, 20:1630] = 0
    for x in (20, 800, 1630):
        img[20:222, x:x + 2] = 0
    img[20:120:12, 800:802] = 255  # the middle rule broken every 12 px in the first row
    img[135:165, 1200:1203] = 0  # two stacked strokes 8 px apart in the second row's right cell
    img[173:203, 1200:1203] = 0
    ink, h, v = ocr.line_masks(img)
    grid = ocr.find_grids(h, v, ocr.bridged_vertical(ink))[0]
    assert len(grid.xs) == 3 and sorted(grid.cells) == [(0, 0, 0, 0), (0, 1, 0, 1), (1, 0, 1, 0), (1, 1, 1, 1)]
    assert [len(g.cells) for g in ocr.find_grids(h, v)] == [3]  # without bridging the first row merges


# ---------------------------------------------------------------- one scanned page (default run)


@pytest.fixture(scope="module")
def one_page_scan(tmp_path_factory) -> bytes:
    """The score example's annex page (the score table, a seal over part of it), scanned."""
    import pypdfium2 as pdfium

    out = tmp_path_factory.mktemp("ocr1")
    good = render_pdf(SPEC, out / "score.pdf")
    single = pdfium.PdfDocument.new()
    src = pdfium.PdfDocument(str(good))
    single.import_pages(src, [1])
    single.save(str(out / "page2.pdf"))
    return realistic_scan(out / "page2.pdf", out / "page2_scan.pdf", ScanStyle(seed=1)).read_bytes()


@needs_engine
def test_one_scanned_table_page(one_page_scan):
    """Spec → scan → RapidOCR → the score table's cells: recall ≥ 0.98 and none wrong but sure;
    its rows add up, so the sum checks verify them and raise no error."""
    doc = run_checks(ocr.read_scanned_pdf(one_page_scan, new_doc(one_page_scan)))
    table = next(t for t in doc.tables if t.annex == "附件1")
    assert table.method == ocr.METHOD_RAPID and "OCR" in table.method_reason
    assert all(c.ocr_score is not None for c in table.cells() if c.text)
    right, total, sure_wrong = compare(dataclasses.replace(SPEC, tables=SPEC.tables[:1]), doc)
    assert right / total >= MIN_RECALL, f"{right}/{total}"
    assert sure_wrong == []
    assert any(f.check == "row_sum" and f.severity == "pass" for f in doc.checks)
    assert not [f.message for f in doc.findings if f.severity == "error"]
    for cell in table.cells():  # boxes in PDF points inside the A4 page
        assert 0 <= cell.x0 < cell.x1 <= 596 and 0 <= cell.top < cell.bottom <= 842


# ---------------------------------------------------------------- realistic scans (ocr marker)


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict[str, tuple]:
    out = tmp_path_factory.mktemp("ocr")
    made = {}
    for i, (name, spec) in enumerate(examples().items()):
        good = render_pdf(spec, out / f"{name}.pdf")
        made[name] = (spec, realistic_scan(good, out / f"{name}_scan.pdf", ScanStyle(seed=i, angle=2.0 if i % 2 else 1.5)),
                      read_document(good).doc_number)
    return made


@pytest.mark.ocr
@needs_engine
@pytest.mark.parametrize("name", list(examples()))
def test_examples_round_trip(name, scans):
    spec, path, text_doc_number = scans[name]
    doc = process_file(path)
    right, total, sure_wrong = compare(spec, doc)
    assert right / total >= MIN_RECALL, f"{right}/{total}"
    assert sure_wrong == []
    # as the text layer of the same PDF gives it (its deliberate normalization: （总第13期） → (总第13期))
    assert doc.doc_number == text_doc_number and text_doc_number is not None
    assert not [f.message for f in doc.findings if f.severity == "error"]  # the examples are consistent
    assert [f.severity for f in doc.findings if f.check == "ocr"] == ["info"]


@pytest.fixture(scope="module")
def seed_scans(tmp_path_factory) -> dict[str, tuple[Document, Document]]:
    out = tmp_path_factory.mktemp("seeds")
    made = {}
    for i, name in enumerate(SEEDS):
        pdf = CORPUS / name.replace(".txt", ".pdf")
        scan = realistic_scan(pdf, out / f"{pdf.stem}_scan.pdf", ScanStyle(seed=10 + i))
        made[name] = (process_file(CORPUS / name), process_file(scan))
    return made


def _errors(doc: Document) -> set[tuple[str, str]]:
    """Errors by check and message, spaces beside Chinese characters squeezed (a scan does not keep
    the printed "1093 件" spacing the message quotes)."""
    return {(f.check, squeeze_spaces(f.message)) for f in doc.findings if f.severity == "error"}


@pytest.mark.ocr
@needs_engine
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=(
    "not reached yet: recall 1007/1051 (0.958) — the rightmost columns of the two wide 26/30-column score "
    "tables are lost (合计 of table 1, the last four columns of table 2), so the grid found in the image "
    "stops short of the table's right border; cells read are right or unsure (none sure-but-wrong)")))
    if n.startswith("000_") else n for n in SEEDS])
def test_seeds_read_from_scans_as_from_text(name, seed_scans):
    """The seed's cells (recall ≥ 0.98, none wrong but sure), its verified sums and its known
    inconsistencies (every error the text gives, and no other) come out of its scan."""
    text, scan = seed_scans[name]
    right, total, sure_wrong = compare(seed_file_to_spec(CORPUS / name), scan)
    assert right / total >= MIN_RECALL, f"{right}/{total}"
    assert sure_wrong == []
    assert scan.doc_number == text.doc_number and scan.issue_date == text.issue_date
    sums = lambda d: sum(f.severity == "pass" and f.check in ("row_sum", "column_sum") for f in d.checks)  # noqa: E731
    assert sums(scan) >= MIN_RECALL * sums(text) > 0
    assert _errors(scan) == _errors(text)


@pytest.mark.ocr
@needs_engine
def test_partly_scanned_pdf_reads_the_scanned_annex(tmp_path):
    """Text pages plus a scanned annex (page 2): the annex read by OCR in its place, the rest from the text layer."""
    good = render_pdf(SPEC, tmp_path / "score.pdf")
    mixed = partly_scanned(good, tmp_path / "mixed.pdf", [2], ScanStyle(seed=3))
    doc = run_checks(read_document(mixed))
    assert doc.status in ("ok", "partial") and doc.doc_number == SPEC.doc_number
    assert {t.annex: t.method for t in doc.tables} == {"附件1": ocr.METHOD_RAPID, "附件2": "pdfplumber"}
    right, total, sure_wrong = compare(SPEC, doc)
    assert right / total >= MIN_RECALL and sure_wrong == []
    assert [f.severity for f in doc.findings if f.check == "ocr"] == ["info"]


@pytest.mark.ocr
@needs_engine
@pytest.mark.parametrize("turns", [1, 2])
def test_page_scanned_on_its_side_or_upside_down(turns, tmp_path):
    good = render_pdf(SPEC, tmp_path / "score.pdf")
    style = ScanStyle(seed=5, quarter_turns={2: turns})
    from tongbao.render.scans import images_to_pdf
    scan = images_to_pdf(scan_pages(good, style), tmp_path / "turned.pdf", style.dpi, style.jpeg_quality)
    doc = run_checks(ocr.read_scanned_pdf(scan.read_bytes(), new_doc(scan.read_bytes())))
    right, total, sure_wrong = compare(SPEC, doc)
    assert right / total >= MIN_RECALL and sure_wrong == []


def test_partly_scanned_pdf_without_ocr_names_the_pages_it_could_not_read(tmp_path, monkeypatch):
    from tongbao.render.hostile import partly_scanned_pdf

    good = render_pdf(SPEC, tmp_path / "score.pdf")
    mixed = partly_scanned_pdf(good, tmp_path / "mixed.pdf", [2], dpi=100)
    monkeypatch.setenv("TONGBAO_OCR", "0")
    doc = read_document(mixed)
    assert doc.status == "ok" and doc.n_pages == 3
    assert [t.annex for t in doc.tables] == ["附件2"]
    warning = [f for f in doc.findings if f.check == "ocr"]
    assert [(f.severity, "scanned page 2" in f.message) for f in warning] == [("warning", True)]
