"""The same PDF reads the same on every machine: with the system's fonts or with none (the font
folders hidden in a private mount namespace, tools/without_system_fonts.sh), and whichever engine
(PDFium or pdfminer) parsed its pages. Most government PDFs do not embed their Chinese fonts, as the
renderer's fixtures do not (STSong-Light)."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from tongbao.extract.pdf_fonts import declared_descents, page_descents
from tongbao.pdfium_fonts import bundled_font_path, use_bundled_fonts
from tongbao.render.examples import examples
from tongbao.render.pdf import render_pdf

from tools.dump_results import dump

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
TOOLS = TESTS / "tools"
HIDE_FONTS = TOOLS / "without_system_fonts.sh"
NO_NAMESPACE = 125  # the script's exit status where the machine allows no mount namespace
POSITION_COLUMNS = ("x0", "top", "x1", "bottom", "start", "end", "locations", "figure_id", "arithmetic")


@pytest.fixture(scope="module")
def pdf_files(tmp_path_factory) -> list[str]:
    """Every PDF the suite reads: the examples as rendered, the seeds, the committed fixtures and the
    development set (LibreOffice exports of bulletins made elsewhere)."""
    out = tmp_path_factory.mktemp("fonts")
    files = [render_pdf(spec, out / f"{name}.pdf") for name, spec in examples().items()]
    files += sorted((ROOT / "corpus").glob("*.pdf")) + sorted((TESTS / "fixtures").glob("**/*.pdf"))
    files += sorted((TESTS / "data" / "devset").glob("*.pdf"))
    return [str(f) for f in files]


def _without_fonts(*args: str) -> str:
    """stdout of a Python script run with the system's font folders hidden."""
    run = subprocess.run([str(HIDE_FONTS), sys.executable, *args], capture_output=True, text=True, cwd=TESTS)
    if run.returncode == NO_NAMESPACE:
        pytest.skip(run.stderr.strip())
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout


def test_the_bundled_font_is_installed():
    assert bundled_font_path() and use_bundled_fonts()


def test_pdfs_read_byte_identical_without_system_fonts(pdf_files):
    assert _without_fonts(str(TOOLS / "dump_results.py"), *pdf_files) == dump(pdf_files)


def _frames(text: str) -> dict[str, pd.DataFrame]:
    """The tables of a dump, without the columns that hold positions (the two engines keep page
    coordinates in floats of different widths, and word-processor text in a header may differ by a
    space that moves later offsets)."""
    out = {}
    for part in text.split("## ")[1:]:
        name, _, body = part.partition("\n")
        frame = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False)
        out[name.split()[0]] = frame.drop(columns=[c for c in POSITION_COLUMNS if c in frame.columns])
    return out


def test_pdfium_and_pdfminer_give_the_same_cells_figures_and_findings(pdf_files, monkeypatch):
    pdfium = _frames(dump(pdf_files))
    monkeypatch.setenv("TONGBAO_PDF_ENGINE", "pdfminer")
    pdfminer = _frames(dump(pdf_files))
    assert pdfium.keys() == pdfminer.keys()
    for name in pdfium:
        pd.testing.assert_frame_equal(pdfium[name], pdfminer[name], obj=name)


def test_report_images_draw_the_chinese_of_fonts_a_pdf_does_not_embed(pdf_files):
    """Page images (the report's crops) show every Chinese character of a page whose font is not
    embedded, drawn with the bundled font, on a machine with no fonts at all."""
    for path in pdf_files[:3]:  # the examples: STSong-Light, never embedded
        counts = json.loads(_without_fonts(str(TOOLS / "ink.py"), path, "1"))
        assert counts["cjk"] > 0 and counts["drawn"] == counts["cjk"], (path, counts)


def test_fonts_not_embedded_declare_their_descent(tmp_path):
    """A missing font's descent is the one its descriptor declares (as pdfminer takes it), keyed by
    its BaseFont name; an embedded font and a standard one declare nothing here."""
    import pdfplumber

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "fonts.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 12)
    c.drawString(72, 700, "市人社局")
    c.setFont("Helvetica", 12)
    c.drawString(72, 680, "100884")
    c.save()
    with pdfplumber.open(path) as pdf:
        descents = page_descents(pdf.pages[0])
        assert descents == declared_descents(pdf.pages[0].page_obj.resources)
    assert set(descents) == {"STSong-Light"}
    assert descents["STSong-Light"] == pytest.approx(-0.271)


def test_a_pdf_is_failed_when_the_bundled_font_is_missing(monkeypatch, pdf_files):
    """Without its font, tongbao would read a PDF as this machine's fonts make it: it says so instead."""
    import importlib

    from tongbao.extract import read_document

    pdf_reader = importlib.import_module("tongbao.extract.pdf")  # tongbao.extract is also the API function
    from tongbao.pdfium_fonts import MISSING_FONT_REASON

    monkeypatch.setattr(pdf_reader, "use_bundled_fonts", lambda: False)
    doc = read_document(pdf_files[0])
    assert doc.status == "failed" and doc.error == MISSING_FONT_REASON
