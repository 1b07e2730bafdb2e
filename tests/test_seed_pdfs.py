"""The seeds rendered as PDFs (corpus/<name>.pdf, `python -m tongbao.render --seeds corpus/`) give the
same hand-checked facts as their text (tests/data/seed_facts.yaml), read by the PDF reader."""
from __future__ import annotations

from pathlib import Path

import pytest

from tongbao.pipeline import process_file
from tongbao.render.seeds import header_cells, render_seeds, seed_to_spec
from tongbao.render.spec import HeaderCell as H, TableSpec

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SEEDS = ["000_83eaf865cf8a629d.txt", "001_019204d22be93a6a.txt", "004_4b200b6a30fe016d.txt"]
REBUILD = "python -m tongbao.render --seeds corpus/"


@pytest.fixture(scope="module")
def pdf_docs():
    """PDF document of every seed, keyed by the seed's text file name (the yaml's keys)."""
    return {name: process_file(CORPUS / name.replace(".txt", ".pdf")) for name in SEEDS}


def _checks(doc, check, severity):
    return [c for c in doc.checks if c.check == check and c.severity == severity]


def test_corpus_pdfs_are_rebuilt_from_the_seeds(tmp_path):
    """The committed PDFs are exactly what the one command writes (rendering is deterministic)."""
    for pdf in render_seeds(CORPUS, tmp_path):
        committed = CORPUS / pdf.name
        assert committed.exists(), f"{committed} missing: run `{REBUILD}`"
        assert committed.read_bytes() == pdf.read_bytes(), f"{committed} is stale: run `{REBUILD}`"
        assert pdf.stat().st_size < 100_000  # no embedded fonts


@pytest.mark.parametrize("name", SEEDS)
def test_metadata(name, pdf_docs, seed_facts):
    doc = pdf_docs[name]
    assert doc.format == "pdf" and doc.n_pages and doc.n_pages > 1
    for key, value in seed_facts[name]["metadata"].items():
        assert getattr(doc, key) == value, key


@pytest.mark.parametrize("name", SEEDS)
def test_truncated_and_inconsistent_percentages(name, pdf_docs, seed_facts):
    doc, facts = pdf_docs[name], seed_facts[name]
    warnings = [c.arithmetic for c in _checks(doc, "percentage", "warning")]
    errors = [c.arithmetic for c in _checks(doc, "percentage", "error")]
    for frac in facts.get("percent_truncated", []):
        assert any(a and a.startswith(frac) for a in warnings), frac
    for frac in facts.get("percent_inconsistent", []):
        assert any(a and a.startswith(frac) for a in errors), frac


@pytest.mark.parametrize("name", SEEDS)
def test_narrative_totals_match_tables(name, pdf_docs, seed_facts):
    verified = {c.reported for c in _checks(pdf_docs[name], "narrative_total", "pass")}
    for value in seed_facts[name].get("narrative_totals", []):
        assert value in verified


@pytest.mark.parametrize("name", SEEDS)
def test_pdf_reads_like_the_text(name, pdf_docs, seed_docs):
    """Same tables (shape, header paths, cell texts), figures and findings as the text reader."""
    pdf, txt = pdf_docs[name], seed_docs[name]
    assert pdf.status == txt.status
    assert [(t.annex, t.n_rows, t.n_cols) for t in pdf.tables] == [(t.annex, t.n_rows, t.n_cols) for t in txt.tables]
    for a, b in zip(pdf.tables, txt.tables):
        assert [c.header_path for c in a.columns] == [c.header_path for c in b.columns]
        assert [[c.value for c in r] for r in a.rows] == [[c.value for c in r] for r in b.rows]
        assert all(c.page is not None and c.x0 is not None for c in a.cells())
    assert sorted((f.value, f.unit) for f in pdf.figures) == sorted((f.value, f.unit) for f in txt.figures)
    assert sorted((f.check, f.severity, f.message) for f in pdf.findings) == \
        sorted((f.check, f.severity, f.message) for f in txt.findings)


def test_000_top_rows_are_extraction_unsure_not_errors(pdf_docs, seed_facts):
    doc, facts = pdf_docs["000_83eaf865cf8a629d.txt"], seed_facts["000_83eaf865cf8a629d.txt"]
    assert not [f for f in doc.findings if f.severity == "error"]
    unsure = [f.message for f in doc.findings if f.check == "extraction_unsure" and f.severity == "warning"]
    for label in facts["unsure_rows"]:
        assert any(f"「{label}」" in m for m in unsure), label
    verified = [c.message for c in _checks(doc, "row_sum", "pass")]
    for label in facts["rows_sum_verified"]:
        assert any(f"「{label}」" in m for m in verified), label
    assert len(doc.tables) == facts["tables"]
    assert max(t.n_rows for t in doc.tables) == facts["long_table_rows"]
    assert doc.status == "partial"
    first = doc.tables[0]
    assert first.rows[0][0].text == "1" and first.rows[-1][0].text == "17"
    assert first.columns[-1].header_path == "合计"
    assert first.columns[2].header_path.startswith("“互联网+政务服务”(60分)") and first.columns[2].max_points == 15


def test_000_stated_duty_week_rule(pdf_docs):
    doc = pdf_docs["000_83eaf865cf8a629d.txt"]
    verified = {c.message.split("」")[0].lstrip("「"): c.expected for c in doc.checks
                if c.check == "stated_rule" and c.severity == "pass"}
    assert verified["市体育局"] == 4.5 and verified["市司法局"] == 4 and verified["三明中燃"] == 1
    assert not [c for c in doc.checks if c.check == "stated_rule" and c.severity == "error"]


def test_001_rows_and_adjusted_percentages(pdf_docs, seed_facts):
    doc, facts = pdf_docs["001_019204d22be93a6a.txt"], seed_facts["001_019204d22be93a6a.txt"]
    assert len(_checks(doc, "row_sum", "pass")) == facts["row_sums_verified"]
    assert not _checks(doc, "row_sum", "error")
    adjusted = [c.message for c in _checks(doc, "percentage", "warning") if "调整" in c.message]
    for label in facts["adjusted_rows"]:
        assert any(f"「{label}」" in m and "99.96%" in m for m in adjusted)
    table = doc.tables[0]
    assert table.columns[3].header_path == "整体评价 / 非常不满意 / 评价数"
    assert table.columns[4].unit == "%"


def test_004_sums(pdf_docs, seed_facts):
    doc, facts = pdf_docs["004_4b200b6a30fe016d.txt"], seed_facts["004_4b200b6a30fe016d.txt"]
    arithmetic = {c.arithmetic for c in doc.checks if c.severity == "pass"}
    for a in facts["verified_arithmetic"]:
        assert a in arithmetic
    assert not _checks(doc, "row_sum", "error")
    assert len(_checks(doc, "row_sum", "pass")) >= 27 + 93 + 28 + 28
    errors = _checks(doc, "column_sum", "error")
    assert sorted((e.expected, e.reported) for e in errors) == sorted(
        (x["expected"], x["reported"]) for x in facts["column_sum_errors"])
    for e in errors:  # the finding points at cells on a page of the PDF
        assert e.locations and all(loc.get("page") for loc in e.locations)


def test_004_blank_department_cells_are_filled_from_above(pdf_docs):
    staff = pdf_docs["004_4b200b6a30fe016d.txt"].tables[1]
    assert staff.rows[1][1].text == "行政审批服务局" and staff.rows[1][1].filled_from_above
    assert not staff.rows[0][1].filled_from_above
    assert staff.n_rows == 93
    assert staff.page_end > staff.page_start


# ---------------------------------------------------------------- the seed → spec conversion itself


def test_header_cells_turn_blank_continuations_into_spans():
    grid = [["县", "总数", "整体评价", "", "", ""], ["", "", "满意", "", "不满意", ""], ["", "", "数", "%", "数", "%"]]
    cells = header_cells(grid, 7)
    assert cells[0] == [H("县", rowspan=3), H("总数", rowspan=3), H("整体评价", colspan=4), H("", rowspan=3)]
    assert cells[1] == [H("满意", colspan=2), H("不满意", colspan=2)]
    assert [c.text for c in cells[2]] == ["数", "%", "数", "%"]
    table = TableSpec(title="t", annex=None, header=cells, rows=[["a"] * 7])
    assert table.leaf_paths()[:4] == [("县",), ("总数",), ("整体评价", "满意", "数"), ("整体评价", "满意", "%")]
    assert table.n_cols == 7


def test_seed_to_spec_keeps_order_context_and_wide_rows():
    text = "\n".join([
        "某市政务服务中心文件", "", "关于窗口考核的通报", "", "一、本月办件 30 件。", "", "附件 1", "", "考核统计表", "",
        "单位：件", "", "部门\t办件\t合计", "甲局\t10\t10", "乙局\t20\t20\t5", "", "说明：每月统计一次。", "", "附件 2", "",
        "续表", "", "部门\t办件\t合计", "丙局\t1\t1", "", "部门\t办件\t合计", "丁局\t2\t2", ""])
    spec = seed_to_spec(text)
    assert spec.title == "某市政务服务中心文件"
    assert spec.paragraphs == ["关于窗口考核的通报", "一、本月办件 30 件。"]
    first, second = spec.tables
    assert (first.annex, first.title, first.unit, first.note) == ("附件1", "考核统计表", "单位：件", "说明：每月统计一次。")
    assert first.n_cols == 4 and first.rows[0] == ["甲局", "10", "10", ""] and first.rows[1] == ["乙局", "20", "20", "5"]
    assert [r[0] for r in second.rows] == ["丙局", "丁局"]  # the continued block joined
