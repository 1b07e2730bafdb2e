"""Values above their column's maximum points, and sub-scores above their group's maximum.

Bonus and deduction columns (加分 / 扣分) state a rate per item, not a ceiling, and cells whose
placement is unsure are left to the extraction_unsure finding.
"""
from __future__ import annotations

from collections import defaultdict

from ..extract.headers import is_adjustment_label, max_points
from ..model import Document, Finding, Table
from .results import failed, passed
from .tableview import cell_at, label_of, location, value_columns


def check_column_maxima(table: Table) -> list[Finding]:
    out = []
    for col in value_columns(table):
        if col.max_points is None or is_adjustment_label(col.path[-1]):
            continue
        held = []
        for r in range(table.n_rows):
            cell = cell_at(table, r, col.index)
            if cell is None or cell.value is None or cell.unsure:
                continue
            if cell.value > col.max_points + 1e-9:
                out.append(failed(table.doc_id, "max_points",
                                  f"「{cell.row_label}」{label_of(col)}: {cell.text} 超过该项满分 {col.max_points:g}",
                                  expected=col.max_points, reported=cell.value, tolerance=0.0,
                                  locations=[location(table, cell)], arithmetic=f"{cell.text} > {col.max_points:g}"))
            else:
                held.append(cell)
        if held:
            top = max(held, key=lambda c: c.value)
            out.append(passed(table.doc_id, "max_points",
                              f"{label_of(col)}: {len(held)} 个分值均不超过满分 {col.max_points:g}（最高 {top.text}）",
                              expected=col.max_points, reported=top.value, tolerance=0.0,
                              locations=[location(table, c) for c in held], arithmetic=f"max = {top.text} ≤ {col.max_points:g}"))
    return out


def check_group_maxima(table: Table) -> list[Finding]:
    """The leaves under a header group stating "(60分)" must not add up to more than 60."""
    groups: dict[tuple[str, ...], list] = defaultdict(list)
    for col in value_columns(table):
        for depth in range(1, len(col.path)):
            groups[col.path[:depth]].append(col)
    out = []
    for path, cols in groups.items():
        limit = max_points(path[-1])
        if limit is None:
            continue
        scored = [c for c in cols if not is_adjustment_label(c.path[-1])]
        held = 0
        for r in range(table.n_rows):
            cells = [c for col in scored if (c := cell_at(table, r, col.index)) is not None and c.value is not None]
            if not cells or any(c.unsure for c in cells):
                continue
            total = sum(c.value for c in cells)
            if total > limit + 1e-9:
                out.append(failed(table.doc_id, "max_points",
                                  f"「{cells[0].row_label}」{path[-1]}: 各分项之和 {total:g} 超过该组满分 {limit:g}",
                                  expected=limit, reported=total, tolerance=0.0, locations=[location(table, c) for c in cells],
                                  arithmetic=" + ".join(c.text for c in cells) + f" = {total:g} > {limit:g}"))
            else:
                held += 1
        if held:
            out.append(passed(table.doc_id, "max_points", f"{path[-1]}: {held} 行的各分项之和均不超过该组满分 {limit:g}",
                              expected=limit, tolerance=0.0))
    return out


def check_document_maxima(doc: Document) -> list[Finding]:
    return [f for t in doc.tables for f in check_column_maxima(t) + check_group_maxima(t)]
