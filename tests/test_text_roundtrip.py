"""Round trip on text: render a table spec as a text layer, extract, and get every cell back."""
from hypothesis import HealthCheck, given, settings, strategies as st

from tongbao.model import Document
from tongbao.extract.text import read_text
from tongbao.render.spec import TableSpec, table_to_text

from roundtrip import assert_table_matches
from strategies import score_tables

PREAMBLE = "某某市政务服务中心\n\n关于月度窗口考核情况的通报\n\n现将考核结果通报如下。\n\n某某市政务服务中心\n\n2023年5月6日\n\n"


def _extract(text: str) -> Document:
    return read_text(text.encode("utf-8"), Document(doc_id="0" * 64, source_path="spec.txt", format="txt"))


def _split(table: TableSpec, at: int) -> str:
    """The table as a text layer continued on a new page at body row `at`, header repeated."""
    first = TableSpec(title=table.title, annex=table.annex, header=table.header, rows=table.rows[:at])
    rest = TableSpec(title="", annex=None, header=table.header, rows=table.rows[at:])
    return table_to_text(first) + "\n\n- 2 -\n\n" + table_to_text(rest)


def _assert_same(table: TableSpec, doc: Document):
    assert len(doc.tables) == 1, [t.title for t in doc.tables]
    assert_table_matches(table, doc.tables[0])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(score_tables())
def test_table_round_trip(table):
    _assert_same(table, _extract(PREAMBLE + table_to_text(table)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(score_tables(min_depth=2, group_points=True))
def test_header_written_once_round_trip(table):
    """Merged header cells written once (no tabs holding their places) go back over their columns."""
    _assert_same(table, _extract(PREAMBLE + table_to_text(table, written_once=True)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(score_tables(min_rows=4), st.data())
def test_continued_table_round_trip(table, data):
    at = data.draw(st.integers(min_value=1, max_value=len(table.rows) - 1))
    _assert_same(table, _extract(PREAMBLE + _split(table, at)))


@settings(max_examples=30, deadline=None)
@given(score_tables())
def test_row_totals_are_verified(table):
    doc = _extract(PREAMBLE + table_to_text(table))
    from tongbao.check import run_checks
    run_checks(doc)
    if table.header[0][-1].text == "合计":
        assert not [f for f in doc.findings if f.severity == "error"]
        if table.n_cols >= 4:  # 部门, two parts or more, 合计: one part "adding up" to 合计 is an equality, not a sum
            assert sum(c.check == "row_sum" and c.severity == "pass" for c in doc.checks) == len(table.rows)
