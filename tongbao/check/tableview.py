"""Read-only helpers the checks share: a table's value grid, its total row and column, its % columns."""
from __future__ import annotations

from ..extract.headers import RANK_LABEL, bare_label, is_total_label
from ..model import Cell, Column, Table


def cell_at(table: Table, row: int, col: int) -> Cell | None:
    cells = table.rows[row]
    if 0 <= col < len(cells) and cells[col].col == col:  # the usual layout: a row's cells in column order
        return cells[col]
    for c in cells:
        if c.col == col:
            return c
    return None


def column_values(table: Table, index: int) -> list[Cell]:
    """The cells of one column that hold a value, top to bottom (one lookup per row, not a scan of the table)."""
    out = []
    for r in range(len(table.rows)):
        c = cell_at(table, r, index)
        if c is not None and c.value is not None:
            out.append(c)
    return out


def is_total_row(table: Table, row: int) -> bool:
    return any(is_total_label(c.text) for c in table.rows[row][: table.label_cols] if c.text)


def body_rows(table: Table) -> list[int]:
    return [r for r in range(table.n_rows) if not is_total_row(table, r)]


def total_rows(table: Table) -> list[int]:
    return [r for r in range(table.n_rows) if is_total_row(table, r)]


def value_columns(table: Table) -> list[Column]:
    return table.columns[table.label_cols:]


def total_column(table: Table) -> Column | None:
    for col in reversed(value_columns(table)):
        if col.path and is_total_label(col.path[-1]):
            return col
    return None


def is_percent_column(table: Table, col: Column) -> bool:
    """A column of percentages: a % unit or mostly "%" cells. A header stating maximum points
    ("主动评价率(25分)", "办件效率(25分)") makes a column of points, unless its cells print "%"."""
    cells = column_values(table, col.index)
    if col.max_points is not None:
        return bool(cells) and sum("%" in (c.text or "") for c in cells) > len(cells) / 2
    if col.unit == "%":
        return True
    return bool(cells) and sum(c.unit == "%" for c in cells) > len(cells) / 2


def is_rank_column(col: Column) -> bool:
    """A 排名 / 名次 column: positions, never a quantity to add or divide."""
    return bool(col.path) and bool(RANK_LABEL.search(bare_label(col.path[-1])))


def is_quantity_column(table: Table, col: Column) -> bool:
    """A column of counts, scores or amounts: neither a rate nor a rank."""
    return not is_percent_column(table, col) and not is_rank_column(col)


def location(table: Table, cell: Cell) -> dict:
    """A JSON-able reference to a cell, so a finding can be shown on the page."""
    return cell.location(table.table_id)


def label_of(col: Column) -> str:
    return bare_label(col.path[-1]) if col.path else ""
