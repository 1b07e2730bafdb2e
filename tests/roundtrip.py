"""What a round trip compares: a table read back from any format against the spec it was rendered from."""
from tongbao.extract.headers import clean_header
from tongbao.normalize.text import clean_label
from tongbao.render.spec import TableSpec


def expected_paths(table: TableSpec) -> list[str]:
    return [" / ".join(clean_header(x) for x in p) for p in table.leaf_paths()]


def squash(text: str | None) -> str:
    return "".join((text or "").split())


def assert_table_matches(table: TableSpec, got, label_col: int = 0, geometry: bool = False) -> None:
    """Header paths, every cell's text, row labels and "same as above" fills are the spec's;
    with `geometry`, every cell also has its page and a box."""
    paths = expected_paths(table)
    assert [c.header_path for c in got.columns] == paths
    rows = table.filled_rows(label_col)
    assert got.n_rows == len(rows)
    for spec_row, original, cells in zip(rows, table.rows, got.rows):
        assert [c.text for c in cells] == [clean_label(t) for t in spec_row]
        assert [c.header_path for c in cells] == paths
        assert all(c.row_label == clean_label(spec_row[label_col]) for c in cells)
        assert cells[label_col].filled_from_above == (original[label_col] == "")
        if geometry:
            for c in cells:
                assert c.page is not None and None not in (c.x0, c.top, c.x1, c.bottom)
                assert c.x0 < c.x1 and c.top < c.bottom
    assert got.annex == table.annex
    assert squash(clean_label(got.title or "")) == squash(clean_label(table.title))
