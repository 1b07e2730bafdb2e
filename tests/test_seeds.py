"""The seeds' hand-checked facts come out as findings or verified checks (tests/data/seed_facts.yaml),
from their text and from their rendered PDF alike (the `seed_docs` fixture runs each test on both)."""
import pytest

SEEDS = ["000_83eaf865cf8a629d.txt", "001_019204d22be93a6a.txt", "004_4b200b6a30fe016d.txt"]


def _checks(doc, check, severity):
    return [c for c in doc.checks if c.check == check and c.severity == severity]


@pytest.mark.parametrize("name", SEEDS)
def test_metadata(name, seed_docs, seed_facts):
    doc = seed_docs[name]
    for key, value in seed_facts[name]["metadata"].items():
        assert getattr(doc, key) == value, key


@pytest.mark.parametrize("name", SEEDS)
def test_truncated_and_inconsistent_percentages(name, seed_docs, seed_facts):
    doc, facts = seed_docs[name], seed_facts[name]
    warnings = [c.arithmetic for c in _checks(doc, "percentage", "warning")]
    errors = [c.arithmetic for c in _checks(doc, "percentage", "error")]
    for frac in facts.get("percent_truncated", []):
        assert any(a and a.startswith(frac) for a in warnings), frac
    for frac in facts.get("percent_inconsistent", []):
        assert any(a and a.startswith(frac) for a in errors), frac


@pytest.mark.parametrize("name", SEEDS)
def test_narrative_totals_match_tables(name, seed_docs, seed_facts):
    verified = {c.reported for c in _checks(seed_docs[name], "narrative_total", "pass")}
    for value in seed_facts[name].get("narrative_totals", []):
        assert value in verified


def test_000_top_rows_are_extraction_unsure_not_errors(seed_docs, seed_facts):
    doc, facts = seed_docs["000_83eaf865cf8a629d.txt"], seed_facts["000_83eaf865cf8a629d.txt"]
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


def test_000_continued_tables_are_joined(seed_docs_by_format):
    # text only: in the PDF where a table breaks depends on the renderer's page breaks
    doc = seed_docs_by_format["txt"]["000_83eaf865cf8a629d.txt"]
    first = doc.tables[0]
    assert [r[0].text for r in first.rows][:1] == ["1"] and first.rows[-1][0].text == "17"
    assert "continued table joined" in first.method_reason
    assert [t.annex for t in doc.tables] == ["附件1", "附件2", "附件3"]  # from the bulletin's list of annexes
    assert first.columns[-1].header_path == "合计"
    assert first.columns[2].header_path.startswith("“互联网+政务服务”(60分)") and first.columns[2].max_points == 15


def test_001_rows_and_adjusted_percentages(seed_docs, seed_facts):
    doc, facts = seed_docs["001_019204d22be93a6a.txt"], seed_facts["001_019204d22be93a6a.txt"]
    assert len(_checks(doc, "row_sum", "pass")) == facts["row_sums_verified"]
    assert not _checks(doc, "row_sum", "error")
    adjusted = [c.message for c in _checks(doc, "percentage", "warning") if "调整" in c.message]
    for label in facts["adjusted_rows"]:
        assert any(f"「{label}」" in m and "99.96%" in m for m in adjusted)
    table = doc.tables[0]
    assert table.columns[3].header_path == "整体评价 / 非常不满意 / 评价数"
    assert table.columns[4].unit == "%"


def test_004_sums(seed_docs, seed_facts):
    doc, facts = seed_docs["004_4b200b6a30fe016d.txt"], seed_facts["004_4b200b6a30fe016d.txt"]
    arithmetic = {c.arithmetic for c in doc.checks if c.severity == "pass"}
    for a in facts["verified_arithmetic"]:
        assert a in arithmetic
    assert not _checks(doc, "row_sum", "error")
    assert len(_checks(doc, "row_sum", "pass")) >= 27 + 93 + 28 + 28
    errors = _checks(doc, "column_sum", "error")
    assert sorted((e.expected, e.reported) for e in errors) == sorted(
        (x["expected"], x["reported"]) for x in facts["column_sum_errors"])


def test_004_blank_department_cells_are_filled_from_above(seed_docs):
    staff = seed_docs["004_4b200b6a30fe016d.txt"].tables[1]
    second = staff.rows[1]
    assert second[1].text == "行政审批服务局" and second[1].filled_from_above
    assert not staff.rows[0][1].filled_from_above
    assert staff.n_rows == 93  # three parts, repeated headers dropped


def test_pdf_findings_point_at_the_page(seed_docs_by_format):
    """On the PDF, a finding's cells carry their page and box, so the report can show them."""
    doc = seed_docs_by_format["pdf"]["004_4b200b6a30fe016d.txt"]
    errors = _checks(doc, "column_sum", "error")
    assert errors and all(loc.get("page") and loc.get("x0") is not None for e in errors for loc in e.locations)
    staff = doc.tables[1]
    assert staff.page_end > staff.page_start


def test_000_stated_duty_week_rule(seed_docs):
    """说明：本月领导值周 8 次为达标，少一次扣 0.5 分 — applied to the 领导值周(5分) column."""
    doc = seed_docs["000_83eaf865cf8a629d.txt"]
    verified = {c.message.split("」")[0].lstrip("「"): c.expected for c in doc.checks if c.check == "stated_rule" and c.severity == "pass"}
    assert verified["市体育局"] == 4.5 and verified["市司法局"] == 4 and verified["三明中燃"] == 1
    assert not [c for c in doc.checks if c.check == "stated_rule" and c.severity == "error"]
