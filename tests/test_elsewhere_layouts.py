"""Layouts from other offices' bulletins (tongbao/render/elsewhere.py) rendered in every format and
read back: a total column printed before its parts, two records per printed row, wrapped names in a
table without rules that runs onto the next page, three-line and box-only rulings, a caption under
the table. Every format gives the spec's cells, and the consistent numbers give no error."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tongbao.extract import read_document
from tongbao.pipeline import process_file
from tongbao.render.docx import render_docx
from tongbao.render.elsewhere import elsewhere_examples
from tongbao.render.html import render_html
from tongbao.render.pdf import render_pdf
from tongbao.render.spec import BulletinSpec, TableSpec, spec_to_text
from tongbao.extract.tables import is_side_by_side

from roundtrip import assert_table_matches
from strategies import count_tables

EXAMPLES = elsewhere_examples()
RENDER = {
    "txt": lambda spec, path: path.write_text(spec_to_text(spec), encoding="utf-8") and path,
    "html": render_html,
    "docx": render_docx,
    "pdf": render_pdf,
}


def _unstacked(table: TableSpec) -> TableSpec:
    """The spec of a table printed two records per row, as one long table: left halves, then right."""
    half = table.n_cols // 2
    rows = [r[:half] for r in table.rows] + [r[half:] for r in table.rows if any(r[half:])]
    return TableSpec(title=table.title, annex=table.annex, header=[row[:half] for row in table.header], rows=rows)


def _expected(table: TableSpec) -> TableSpec:
    pairs = is_side_by_side([[h.text for h in row] for row in table.header])
    return _unstacked(table) if pairs else table


@pytest.mark.parametrize("fmt", sorted(RENDER))
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_layout_reads_back_in_every_format(tmp_path, name, fmt):
    spec = EXAMPLES[name]
    path = RENDER[fmt](spec, tmp_path / f"{name}.{fmt}")
    doc = read_document(path)
    assert doc.status == "ok", doc.error
    assert len(doc.tables) == len(spec.tables), [t.title for t in doc.tables]
    for table, got in zip(spec.tables, doc.tables):
        assert_table_matches(_expected(table), got, 0, geometry=fmt == "pdf")


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_layout_numbers_hold(tmp_path, name):
    """The examples' numbers are consistent: no error, and the row and column sums are verified."""
    path = tmp_path / f"{name}.txt"
    path.write_text(spec_to_text(EXAMPLES[name]), encoding="utf-8")
    doc = process_file(path)
    assert not [f for f in doc.findings if f.severity == "error"], [f.message for f in doc.findings]
    assert not [f for f in doc.findings if f.check == "extraction_unsure"]


@settings(max_examples=24, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(table=count_tables(), fmt=st.sampled_from(sorted(RENDER)))
def test_count_tables_with_their_total_anywhere_round_trip(tmp_path, table, fmt):
    """A total column first or last, its parts, a rate, a 合计 row, any ruling, the caption above or
    below, in any format: the cells come back where they were printed, and every row sum is verified."""
    spec = BulletinSpec(issuer="某某市12345热线管理中心", doc_number="某热线〔2024〕3号", title="关于工单办理情况的通报",
                        issue_date="2024年3月5日", paragraphs=["各承办单位办理情况如下：", "请抓好落实。"],
                        tables=[table], signature="某某市12345热线管理中心")
    table.after_paragraph = 0
    doc = process_file(RENDER[fmt](spec, tmp_path / f"count.{fmt}"))
    assert doc.status == "ok", doc.error
    assert len(doc.tables) == 1, [t.title for t in doc.tables]
    assert_table_matches(table, doc.tables[0], 0, geometry=fmt == "pdf")
    assert not [f for f in doc.findings if f.severity in ("error", "warning")], [f.message for f in doc.findings]
    body = [r for r in table.rows if r[0] != "合计"]
    assert sum(c.check == "row_sum" and c.severity == "pass" for c in doc.checks) >= len(body)
