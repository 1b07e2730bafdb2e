"""A count is never negative: a value below zero in a column of counts.

A column is a column of counts when its label names one (件数, 工单量, 总X数: an `error` when a value is
below zero) or, failing that, when every other value under it is a whole number of zero or more
(办结, 未办结, 超期办结: a `warning` that says the kind was inferred). Rates, ranks, scores, bonus and
deduction columns and changes (增减, 同比) may be negative or are checked elsewhere.
"""
from __future__ import annotations

from ..extract.headers import is_adjustment_label
from ..extract.semantics import CHANGE_LABEL, COUNT, label_kind
from ..model import Finding, Table
from .kinds import is_score_column
from .results import failed, passed
from .tableview import column_values, is_percent_column, is_rank_column, label_of, location, value_columns

MIN_VALUES = 3  # fewer values say too little about a column's kind


def check_count_signs(table: Table) -> list[Finding]:
    out = []
    for col in value_columns(table):
        if not col.path or is_adjustment_label(col.path[-1]) or CHANGE_LABEL.search(label_of(col)) \
                or is_percent_column(table, col) or is_rank_column(col) or is_score_column(table, col):
            continue
        cells = [c for c in column_values(table, col.index) if not c.unsure]
        if len(cells) < MIN_VALUES or any((c.decimals or 0) != 0 for c in cells):
            continue
        negative = [c for c in cells if c.value < 0]
        named = label_kind(col.path[-1], col.max_points, col.unit) == COUNT
        if not named and len(negative) != 1:
            continue  # a column of several negative values is not known to count anything
        for cell in negative:
            severity = "error" if named else "warning"
            why = "" if named else "（据该列其余各值均为非负整数推定其为计数）"
            out.append(failed(table.doc_id, "count_sign", f"「{cell.row_label}」{label_of(col)} 为 {cell.text}：件数不可能为负{why}",
                              expected=0.0, reported=cell.value, tolerance=0.0, locations=[location(table, cell)],
                              arithmetic=f"{cell.text} < 0", severity=severity))
        held = [c for c in cells if c.value >= 0]
        if held and not negative:
            out.append(passed(table.doc_id, "count_sign", f"{label_of(col)}: {len(held)} 个件数均不为负",
                              expected=0.0, reported=min(c.value for c in held), tolerance=0.0,
                              locations=[location(table, c) for c in held], arithmetic="min ≥ 0"))
    return out
