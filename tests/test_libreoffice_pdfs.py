"""PDFs as many offices make them: the examples and the seeds written as DOCX and exported by LibreOffice
(tests/fixtures/libreoffice/, made by `make fixtures-libreoffice`; each spec is kept as JSON beside
its PDF). They read as the text rendering of the same spec reads, with either PDF engine.

What these files pin: justified lines whose spacing left empty strips (not a table), a date whose
digits LibreOffice set apart from the Chinese (not a table), numbers wrapped inside narrow cells
(966 / 186 is 966186), and rows broken across a page (the rest of a wrapped name, or a lone "%",
at the top of the next page goes back into its row).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tongbao.extract.pdf import ENGINE_ENV
from tongbao.pipeline import process_file
from tongbao.render.spec import spec_from_dict, spec_to_text

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "libreoffice"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.pdf"))


def _tables(doc) -> list:
    return [(t.annex, t.title, [c.header_path for c in t.columns], [[(c.text, c.row_label) for c in r] for r in t.rows])
            for t in doc.tables]


@pytest.fixture(scope="module")
def text_docs(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("lo_txt")
    docs = {}
    for name in NAMES:
        spec = spec_from_dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))
        path = out / f"{name}.txt"
        path.write_text(spec_to_text(spec), encoding="utf-8")
        docs[name] = process_file(path)
    return docs


def test_fixtures_are_there():
    seeds = {p.stem for p in (FIXTURES.parent.parent.parent / "corpus").glob("*.txt")}
    assert {"satisfaction", "score", "volume"} | seeds <= set(NAMES)
    assert all((FIXTURES / f"{name}.json").exists() for name in NAMES)


@pytest.mark.parametrize("engine", ["pdfium", "pdfminer"])
@pytest.mark.parametrize("name", NAMES)
def test_libreoffice_pdf_reads_like_the_text(text_docs, name, engine, monkeypatch):
    monkeypatch.setenv(ENGINE_ENV, engine)
    doc, txt = process_file(FIXTURES / f"{name}.pdf"), text_docs[name]
    assert doc.status == txt.status != "failed", doc.error  # seed 000 is partial as text too (unsure rows)
    for key in ("doc_number", "issue_date", "issuer", "period_label", "city"):
        assert getattr(doc, key) == getattr(txt, key), key
    assert _tables(doc) == _tables(txt)
    assert sorted((f.value, f.unit) for f in doc.figures) == sorted((f.value, f.unit) for f in txt.figures)
    assert sorted((f.check, f.severity) for f in doc.findings) == sorted((f.check, f.severity) for f in txt.findings)
