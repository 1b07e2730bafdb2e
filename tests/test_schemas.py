"""A batch's parts build their Arrow tables straight from rows (schemas.rows_to_arrow); the in-memory
API builds pandas frames from the same rows. Both must give the same table and refuse the same rows."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongbao.export.frames import rows_frame
from tongbao.export.schemas import TABLES, SchemaError, load_schema, rows_to_arrow, to_arrow, validate

_TEXT = st.text(alphabet="市人社局0123456789-,.〔〕ab ", max_size=8)
_VALUES = {
    "string": _TEXT,
    "integer": st.one_of(st.integers(-10**6, 10**6), st.integers(-100, 100).map(float)),
    "number": st.one_of(st.floats(allow_infinity=False), st.integers(-10**6, 10**6)),
    "boolean": st.booleans(),
    "date": st.dates().map(lambda d: d.strftime("%Y-%m-%d")),
}


def _value(field):
    """A value for a column; a required one is never None, so most tables drawn pass (a NaN in a
    required number column is a null, and both paths must refuse it)."""
    cons = field.get("constraints", {})
    values = st.sampled_from(cons["enum"]) if "enum" in cons else _VALUES[field["type"]]
    return values if cons.get("required") else st.one_of(st.none(), values)


@st.composite
def table_rows(draw, name):
    """Rows of one published table, keyed by position so the primary key never repeats by chance."""
    fields = load_schema(name)["fields"]
    keys = load_schema(name).get("primaryKey") or []
    n = draw(st.integers(0, 6))
    rows = []
    for i in range(n):
        row = {f["name"]: draw(_value(f)) for f in fields}
        for k in keys:
            f = next(x for x in fields if x["name"] == k)
            row[k] = {"integer": i, "number": float(i), "string": f"k{i}"}.get(f["type"], row[k])
        rows.append(row)
    return rows


def _same(a, b) -> bool:
    return a is b or a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def _outcome(build):
    try:
        return build()
    except SchemaError as exc:
        return exc


@pytest.mark.parametrize("name", TABLES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_rows_to_arrow_is_the_frame_path(name, data):
    """Same columns, types and values as conform → validate → to_arrow, or the same refusal."""
    rows = data.draw(table_rows(name))

    def by_frame():
        df = rows_frame(rows, name)
        validate(df, name)
        return to_arrow(df, name)

    expected, got = _outcome(by_frame), _outcome(lambda: rows_to_arrow(rows, name))
    if isinstance(expected, SchemaError):
        assert isinstance(got, SchemaError), f"the frame path refused: {expected}"
        return
    assert not isinstance(got, SchemaError), got
    assert got.schema == expected.schema
    for column in expected.column_names:
        a, b = expected.column(column).to_pylist(), got.column(column).to_pylist()
        assert all(_same(x, y) for x, y in zip(a, b)) and len(a) == len(b), column


def _document(**changes):
    row = {f["name"]: None for f in load_schema("documents")["fields"]}
    row.update(doc_id="d1", source_path="a.pdf", format="pdf", status="ok")
    row.update(changes)
    return row


@pytest.mark.parametrize("rows, problem", [
    ([_document(status="half-done")], "status"),
    ([_document(doc_id=None)], "doc_id"),
    ([_document(), _document()], "duplicate primary key"),
    ([_document(issue_date="2022年3月1日")], "ISO date"),
])
def test_rows_that_break_the_schema_are_refused(rows, problem):
    """Each check of `validate` also holds for rows built without pandas."""
    with pytest.raises(SchemaError, match=problem):
        rows_to_arrow(rows, "documents")
    with pytest.raises(SchemaError, match=problem):
        validate(rows_frame(rows, "documents"), "documents")


def test_a_number_in_a_text_column_is_written_as_its_text():
    """Arrow takes no int as a string; the fallback converts as pandas' string dtype does, and keeps an
    integer an integer (a frame of [None, 0] would have read it as the float 0.0 first)."""
    table = rows_to_arrow([_document(doc_number=None), _document(doc_id="d2", doc_number=7)], "documents")
    assert table.column("doc_number").to_pylist() == [None, "7"]
