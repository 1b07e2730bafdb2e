"""OCR'd cells are sure only when their reading is verified: a low recognition score, or a value that
cannot be of its column's kind (99 under 党建(10分), an integer in a rate column printed to two
decimals) in a row whose printed total does not reconcile with it, marks the cell `unsure`, with one
`extraction_unsure` warning per table naming the cells, so no check takes a doubtful reading for the
document's own number. A misfit the row's total does reconcile is the document's, left to the checks."""
from __future__ import annotations

import math

from ..model import Cell, Finding, Table
from .headers import is_total_label
from .semantics import RANK, RATE, fits, label_kind

MIN_SURE_SCORE = 0.9  # the recogniser's score below which a cell's reading is doubtful
LISTED = 5  # cells named in the finding's message
MIN_PEERS = 3  # a column's precision is known from at least this many other values


def _warning(table: Table, cells: list[Cell], why: str) -> Finding:
    named = "、".join(f"第 {c.row + 1} 行「{c.row_label}」「{c.header_path}」{c.text}" for c in cells[:LISTED])
    more = f" 等 {len(cells)} 格" if len(cells) > LISTED else ""
    return Finding(
        doc_id=table.doc_id, check="extraction_unsure", severity="warning",
        message=f"表「{table.title or table.table_id}」: {why}的单元格（{named}{more}）标为不确定，请对照页面图像核对",
        locations=[c.location(table.table_id) for c in cells[:20]],
    )


def mark_low_scores(table: Table) -> list[Finding]:
    """Mark every cell scored below MIN_SURE_SCORE unsure; a warning for the table when any is."""
    low = [c for r in table.rows for c in r if c.ocr_score is not None and c.ocr_score < MIN_SURE_SCORE and c.text]
    for c in low:
        c.unsure = True
    return [_warning(table, low, f"文字识别置信度低于 {MIN_SURE_SCORE:g}")] if low else []


def _lost_decimals(cell: Cell, peers: list[Cell]) -> bool:
    """Fewer decimals than every other value of the column, all printed with some: a point dropped."""
    others = [p for p in peers if p is not cell]
    return len(others) >= MIN_PEERS and all((p.decimals or 0) > 0 for p in others) and (cell.decimals or 0) < min(
        p.decimals for p in others)


def _row_reconciles(table: Table, row: list[Cell]) -> bool:
    """The row's values add up to its printed total (the last column labelled 合计 / 得分 …)."""
    tot = next((c for c in reversed(table.columns[table.label_cols:]) if c.path and is_total_label(c.path[-1])), None)
    if tot is None:
        return False
    kinds = {c.index: label_kind(c.path[-1], c.max_points, c.unit) for c in table.columns if c.path}
    total = next((c for c in row if c.col == tot.index and c.value is not None), None)
    parts = [c for c in row if c.col >= table.label_cols and c.col != tot.index and c.value is not None
             and kinds.get(c.col) not in (RATE, RANK)]
    if total is None or not parts:
        return False
    tol = 0.5 * sum(10.0 ** -(p.decimals or 0) for p in parts) + 0.5 * 10.0 ** -(total.decimals or 0)
    return math.isclose(sum(p.value for p in parts), total.value, abs_tol=tol)


def mark_misfits(table: Table) -> list[Finding]:
    """Mark OCR'd values that cannot be of their column's kind unsure, unless their row's total reconciles."""
    body = [r for r in table.rows if not any(is_total_label(c.text) for c in r[: table.label_cols] if c.text)]
    odd = []
    for col in table.columns[table.label_cols:]:
        kind = label_kind(col.path[-1], col.max_points, col.unit) if col.path else None
        cells = [c for r in body for c in r if c.col == col.index and c.value is not None]
        for c in cells:
            if c.ocr_score is None or c.unsure:
                continue
            if (kind is not None and not fits(kind, c.value, c.unit, c.decimals, col.max_points, len(body))) \
                    or _lost_decimals(c, cells):
                odd.append(c)
    odd = [c for c in odd if not _row_reconciles(table, table.rows[c.row])]
    for c in odd:
        c.unsure = True
    return [_warning(table, odd, "文字识别结果与该列数值类型或小数位不符、且该行合计不能印证")] if odd else []
