"""A value above its column's maximum points is an error; bonus columns and unsure rows are left alone."""
from hypothesis import given, settings, strategies as st

from tongbao.check import run_checks
from tongbao.extract.text import read_text
from tongbao.model import Document
from tongbao.render.spec import table_to_text

from strategies import score_tables
from test_text_roundtrip import PREAMBLE


def _doc(text):
    return run_checks(read_text(text.encode("utf-8"), Document(doc_id="2" * 64, source_path="x.txt", format="txt")))


@settings(max_examples=25, deadline=None)
@given(score_tables(min_rows=2, max_rows=8), st.data())
def test_value_above_maximum_is_found(table, data):
    leaves = [c for c in table.header[-1] if "分)" in c.text]
    if not leaves:
        return
    clean = _doc(PREAMBLE + table_to_text(table))
    assert not [f for f in clean.findings if f.check == "max_points"]
    verified = [f for f in clean.checks if f.check == "max_points" and f.severity == "pass"]
    assert len([f for f in verified if "个分值均不超过满分" in f.message]) == len(leaves)  # one per scored column
    r = data.draw(st.integers(min_value=0, max_value=len(table.rows) - 1))
    c = 1 + data.draw(st.integers(min_value=0, max_value=len(leaves) - 1))
    maximum = int(leaves[c - 1].text.split("(")[1].rstrip("分)"))
    table.rows[r][c] = str(maximum + 1)
    found = [f for f in _doc(PREAMBLE + table_to_text(table)).findings if f.check == "max_points"]
    assert any(f.reported == maximum + 1 and f.expected == maximum for f in found)
