"""Header kinds checked against the values under them, for every table from every reader.

A cell is sure only when its reading is verified: the kind a column's label names (a rate 率 / 占比,
a rank 排名 / 名次, a score with its maximum points, a count 数 / 量 / 件) must fit the numbers under
it. A column where most values cannot be of that kind (8500 under 得分(100分), 95.5 under 排名,
1511 under 办结率) was misread — columns shifted, two records per row taken as one, a header
reordered — so its cells are marked `unsure` and an `extraction_unsure` warning says what did not
fit. One odd value in a column that otherwise fits is the document's own (a score above its maximum),
left to the checks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Finding, Table
from .headers import PERCENT_LABEL, RANK_LABEL, bare_label, is_adjustment_label, is_total_label

RATE, RANK, SCORE, COUNT = "rate", "rank", "score", "count"
KIND_NAMES = {RATE: "比率", RANK: "名次", SCORE: "得分", COUNT: "件数"}
CHANGE_LABEL = re.compile(r"(增长|增幅|增减|同比|环比|变化|下降|上升)")  # a rate of change may pass 100 % or go below 0
COUNT_LABEL = re.compile(r"(件数|数量|次数|人次|工单数|来信数|评价数|办件量|受理量|办结量|总量|件)$|[^率]数$|[^比]量$")
MIN_MISFITS = 2  # fewer odd values are the document's, not the reading's
MISFIT_SHARE = 0.5  # a column with at least this share of values that cannot be of its kind was misread
RANK_SLACK = 0  # a rank is at most the number of rows ranked


@dataclass(frozen=True)
class Misfit:
    """A column whose values do not fit its label."""

    col: int
    kind: str
    bad: list  # the cells that cannot be of the kind
    total: int  # numeric cells in the column


def label_kind(label: str, max_points: float | None, unit: str | None) -> str | None:
    """The kind of value a header label names, or None when it names none for certain."""
    bare = bare_label(label)
    if RANK_LABEL.search(bare):
        return RANK
    if (unit == "%" or PERCENT_LABEL.search(bare)) and not CHANGE_LABEL.search(bare):
        return RATE
    if max_points is not None and not is_adjustment_label(label):
        return SCORE
    if re.search(r"[万亿]", label):
        return None  # counts in ten thousands carry decimals
    if COUNT_LABEL.search(bare) and not is_total_label(label) or re.search(r"总[\u4e00-\u9fff]{0,4}数$", bare):
        return COUNT
    return None


def fits(kind: str, value: float, unit: str | None, decimals: int | None, max_points: float | None, n_rows: int) -> bool:
    """Whether one printed number can be a value of this kind."""
    if kind == RATE:
        return -1e-9 <= value <= 100 + 1e-9
    if kind == RANK:
        return unit != "%" and float(value).is_integer() and 1 <= value <= n_rows + RANK_SLACK
    if kind == SCORE:
        return unit != "%" and max_points is not None and -1e-9 <= value <= max_points + 1e-9
    if kind == COUNT:
        return unit != "%" and value >= 0 and (decimals or 0) == 0
    return True


def misfits(table: Table) -> list[Misfit]:
    """The value columns of `table` whose numbers mostly cannot be of the kind their label names."""
    out = []
    body = [r for r in table.rows if not any(is_total_label(c.text) for c in r[: table.label_cols] if c.text)]
    for col in table.columns[table.label_cols:]:
        if not col.path:
            continue
        kind = label_kind(col.path[-1], col.max_points, col.unit)
        if kind is None:
            continue
        cells = [c for r in body for c in r if c.col == col.index and c.value is not None]
        bad = [c for c in cells if not fits(kind, c.value, c.unit, c.decimals, col.max_points, len(body))]
        if len(bad) >= MIN_MISFITS and len(bad) >= MISFIT_SHARE * len(cells):
            out.append(Misfit(col.index, kind, bad, len(cells)))
    return out


def verify_kinds(table: Table) -> list[Finding]:
    """Mark the cells of every column whose values do not fit its label `unsure`, with a warning each."""
    findings = []
    for m in misfits(table):
        col = next(c for c in table.columns if c.index == m.col)
        for row in table.rows:
            for cell in row:
                if cell.col == m.col:
                    cell.unsure = True
        example = ", ".join(c.text for c in m.bad[:3])
        findings.append(Finding(
            doc_id=table.doc_id, check="extraction_unsure", severity="warning",
            message=(f"表「{table.title or table.table_id}」「{col.header_path}」列: {len(m.bad)}/{m.total} 个值"
                     f"不可能是{KIND_NAMES[m.kind]}（如 {example}），列名与数值的对应未能核实，该列各格标为不确定"),
            locations=[c.location(table.table_id) for c in m.bad[:20]],
        ))
    return findings
