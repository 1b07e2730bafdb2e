"""PDFium's page objects stand in for pdfminer's: the same characters and ruling lines in
pdfplumber's format, so both engines read every rendered bulletin to the same pages; pages PDFium
would place differently (rotated) are left to pdfminer."""
from __future__ import annotations

from pathlib import Path

import pdfplumber
import pypdfium2
import pytest
from hypothesis import HealthCheck, given, settings
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from tongbao.errors import ExtractionError
from tongbao.extract import read_document
from tongbao.extract.pdf import ENGINE_ENV, PdfiumPage, _with_pdfium_objects, open_pdf, read_pages
from tongbao.extract.pdf_pages import PageTable
from tongbao.extract.pdf_fonts import page_descents
from tongbao.extract.pdf_objects import Matrix, page_objects, readable
from tongbao.render.examples import examples
from tongbao.render.pdf import DEFAULT_FONT, register_font, render_pdf
from tongbao.render.spec import BulletinSpec

from strategies import score_tables

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = examples()
POSITION_TOLERANCE = 0.05  # points: PDFium keeps coordinates as 32-bit floats
VERTICAL_TOLERANCE = 0.5  # points: PDFium's built-in metrics of the standard 14 fonts differ a little from pdfminer's
BOX_TOLERANCE = VERTICAL_TOLERANCE  # points: line and cell boxes are the boxes of the characters they hold


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("objects")
    files = {name: render_pdf(spec, out / f"{name}.pdf") for name, spec in EXAMPLES.items()}
    files.update({p.stem: p for p in sorted((ROOT / "corpus").glob("*.pdf"))})
    return files


def _both(path: Path):
    """(pdfminer's objects, PDFium's objects) of every page."""
    data = path.read_bytes()
    doc = pypdfium2.PdfDocument(data)
    with pdfplumber.open(path) as pdf:
        for i, page in enumerate(pdf.pages):
            theirs = {k: page.objects.get(k, []) for k in ("char", "line", "rect", "curve")}
            ours = page_objects(doc[i], page.page_number, float(page.height), page.initial_doctop, page_descents(page))
            yield theirs, ours, page
    doc.close()


def _edges(container) -> list[tuple]:
    return sorted((e["orientation"], round(e["x0"], 1), round(e["top"], 1), round(e["x1"], 1), round(e["bottom"], 1))
                  for e in container.edges)


def _counterpart(char: dict, candidates: list[dict]) -> dict:
    """pdfminer's character of the same text nearest to PDFium's (the two list a page's characters
    in slightly different orders where cells were drawn out of reading order)."""
    return min(candidates, key=lambda c: abs(c["x0"] - char["x0"]) + abs(c["bottom"] - char["bottom"]))


def _assert_same_chars(mine: list[dict], other: list[dict], where) -> None:
    """PDFium's characters are pdfminer's: the same text, boxes and sizes."""
    assert sorted(c["text"] for c in mine) == sorted(c["text"] for c in other), where
    by_text: dict[str, list[dict]] = {}
    for c in other:
        by_text.setdefault(c["text"], []).append(c)
    for a in mine:
        b = _counterpart(a, by_text[a["text"]])
        assert abs(a["x0"] - b["x0"]) <= POSITION_TOLERANCE, (where, a["text"], a["x0"], b["x0"])
        assert abs(a["x1"] - b["x1"]) <= POSITION_TOLERANCE, (where, a["text"], a["x1"], b["x1"])
        assert abs(a["top"] - b["top"]) <= VERTICAL_TOLERANCE and abs(a["bottom"] - b["bottom"]) <= VERTICAL_TOLERANCE, \
            (where, a["text"], a["top"], b["top"], a["bottom"], b["bottom"])
        assert abs(a["size"] - b["size"]) <= POSITION_TOLERANCE and a["upright"] == b["upright"], (where, a["text"])


def test_pdfium_chars_and_edges_match_pdfminers(pdfs):
    for name, path in pdfs.items():
        for theirs, ours, page in _both(path):
            _assert_same_chars(ours["char"], theirs["char"], (name, page.page_number))
            assert _edges(PdfiumPage(page, ours)) == _edges(page), (name, page.page_number)


def test_char_boxes_follow_the_text_matrix(tmp_path):
    """Characters scaled by the graphics state, squeezed by horizontal scaling, spaced out or raised
    are measured as pdfminer measures them: advance and font size through the character's matrix."""
    register_font()
    path = tmp_path / "matrix.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont(DEFAULT_FONT, 10)
    c.drawString(50, 700, "普通12AB")
    c.saveState()
    c.transform(2, 0, 0, 1.5, 50, 600)
    c.drawString(0, 0, "放大34CD")
    c.restoreState()
    text = c.beginText(50, 500)
    text.setFont(DEFAULT_FONT, 12)
    text.setHorizScale(80)
    text.setCharSpace(2)
    text.textOut("压缩56EF")
    c.drawText(text)
    text = c.beginText(50, 450)
    text.setFont("Helvetica", 12)
    text.setRise(3)
    text.textOut("Rise78")
    c.drawText(text)
    c.save()
    for theirs, ours, page in _both(path):
        _assert_same_chars(ours["char"], theirs["char"], page.page_number)


def _content(pages) -> tuple[list, list[float]]:
    """What read_pages found, page by page: narrative lines and tables' cells; and, apart, their
    coordinates (compared within a tolerance)."""
    found: list = []
    coords: list[float] = []
    for p in pages:
        for it in p.items:
            if isinstance(it, PageTable):
                found.append((p.number, it.parts.method, it.parts.header, [[c.text for c in r] for r in it.parts.body]))
                coords += [v for r in it.parts.body for c in r for v in (c.x0, c.top, c.x1, c.bottom)]
            else:
                found.append((p.number, it.text, round(it.size, 1)))
                coords += [it.x0, it.top, it.x1, it.bottom]
    return found, coords


def _read(path: Path, engine: str) -> tuple[list, list[float]]:
    data = path.read_bytes()
    return _content(read_pages(open_pdf(data), data if engine == "pdfium" else None))


def _assert_same_reading(path: Path, name: str = "") -> list:
    (found, coords), (expected, expected_coords) = _read(path, "pdfium"), _read(path, "pdfminer")
    assert found == expected, name
    assert len(coords) == len(expected_coords)
    assert max((abs(a - b) for a, b in zip(coords, expected_coords)), default=0) <= BOX_TOLERANCE, name
    return found


def test_engines_read_the_same_pages(pdfs):
    """Every example and every seed PDF: the same lines, tables and cells, whichever engine parsed them."""
    for name, path in pdfs.items():
        _assert_same_reading(path, name)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(table=score_tables(max_rows=50))
def test_engines_agree_on_generated_tables(tmp_path, table):
    spec = BulletinSpec(issuer="某某市政务服务中心", doc_number="某政务〔2023〕5号", title="关于窗口考核情况的通报",
                        issue_date="2023年5月6日", paragraphs=["现将考核结果通报如下。"], tables=[table],
                        signature="某某市政务服务中心")
    _assert_same_reading(render_pdf(spec, tmp_path / "gen.pdf"))


def _grid_in_form(path: Path, rotate: int = 0) -> Path:
    """A 3×3 ruled grid of numbers drawn inside a form XObject, placed with a translation."""
    font = register_font(DEFAULT_FONT)
    c = canvas.Canvas(str(path), pagesize=A4)
    if rotate:
        c.setPageRotation(rotate)
    c.beginForm("grid")
    for i in range(4):
        c.line(0, i * 20, 180, i * 20)
        c.line(i * 60, 0, i * 60, 60)
    c.setFont(font, 10)
    for r, row in enumerate([["部门", "受理", "办结"], ["市人社局", "12", "11"], ["市医保局", "7", "7"]]):
        for col, text in enumerate(row):
            c.drawString(col * 60 + 4, 60 - (r + 1) * 20 + 6, text)
    c.endForm()
    c.saveState()
    c.translate(100, 500)
    c.doForm("grid")
    c.restoreState()
    c.setFont(font, 12)
    c.drawString(100, 700, "附件1：办件情况表")
    c.save()
    return path


def test_ruled_table_inside_a_form_xobject(tmp_path):
    """A form's lines come back at their place on the page (the form's matrix applied), and the table
    inside reads the same with both engines."""
    path = _grid_in_form(tmp_path / "form.pdf")
    for theirs, ours, page in _both(path):
        assert len(_edges(page)) >= 8 and _edges(PdfiumPage(page, ours)) == _edges(page)
    pages = _assert_same_reading(path)
    table = next(it for it in pages if len(it) == 4)
    assert table[3] == [["市人社局", "12", "11"], ["市医保局", "7", "7"]]


def test_rotated_page_is_left_to_pdfminer(tmp_path):
    path = _grid_in_form(tmp_path / "rotated.pdf", rotate=90)
    data = path.read_bytes()
    doc = pypdfium2.PdfDocument(data)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        assert not readable(doc[0], (float(page.width), float(page.height)))
        assert _with_pdfium_objects(page, doc, 0) is page
    normal = _grid_in_form(tmp_path / "normal.pdf")
    with pdfplumber.open(normal) as pdf:
        page = pdf.pages[0]
        assert isinstance(_with_pdfium_objects(page, pypdfium2.PdfDocument(normal.read_bytes()), 0), PdfiumPage)


def test_matrix_composition():
    inner, outer = Matrix(2, 0, 0, 2, 10, 0), Matrix(1, 0, 0, 1, 100, 500)
    assert inner.then(outer).apply(1, 1) == outer.apply(*inner.apply(1, 1)) == (112, 502)
    turn = Matrix(0, 1, -1, 0, 0, 0)  # 90° counter-clockwise
    assert turn.then(outer).apply(10, 0) == (100, 510)


def test_unknown_engine_is_a_clear_failure(monkeypatch, pdfs):
    monkeypatch.setenv(ENGINE_ENV, "mupdf")
    doc = read_document(pdfs["score"])
    assert doc.status == "failed" and "TONGBAO_PDF_ENGINE='mupdf'" in doc.error
    with pytest.raises(ExtractionError, match="pdfium, pdfminer"):
        data = pdfs["score"].read_bytes()
        read_pages(open_pdf(data), data)


def test_pdfminer_engine_by_environment(monkeypatch, pdfs):
    monkeypatch.setenv(ENGINE_ENV, "pdfminer")
    doc = read_document(pdfs["score"])
    monkeypatch.delenv(ENGINE_ENV)
    fast = read_document(pdfs["score"])
    assert doc.status == fast.status == "ok"
    assert [[c.text for c in t.cells()] for t in doc.tables] == [[c.text for c in t.cells()] for t in fast.tables]
