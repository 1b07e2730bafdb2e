"""Scoring rules a document states ("本月领导值周 8 次为达标，少一次扣 0.5 分") applied to the tables they govern.

The rule's counts come from the table the note is printed under; the scores it governs are the
column of another table whose label names the same item and carries its maximum points.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..model import Document, Finding, Table
from .results import failed, passed
from .tableview import cell_at, label_of, location, value_columns

# "<item> 8 次为达标，少一次扣 0.5 分"
PER_SHORTFALL = re.compile(
    r"(?P<item>[\u4e00-\u9fff]{2,12}?)\s*(?P<target>\d+(?:\.\d+)?)\s*(?P<unit>次|件|天|人次|个)\s*(?:为|即为|视为)?达标\s*[，,]\s*"
    r"(?:每)?少\s*(?:一|1)\s*(?:次|件|天|人次|个)\s*扣\s*(?P<penalty>\d+(?:\.\d+)?)\s*分")
ITEM_PREFIX = re.compile(r"^(本月|本季度|每月|当月)")


@dataclass
class ShortfallRule:
    """Full marks at `target` or more; each unit short costs `penalty`, down to zero."""

    item: str
    target: float
    penalty: float
    source: Table
    text: str

    def score(self, count: float, max_points: float) -> float:
        return max(0.0, max_points - self.penalty * max(0.0, self.target - count))


def stated_rules(doc: Document) -> list[ShortfallRule]:
    rules = []
    for table in doc.tables:
        for note in table.notes:
            for m in PER_SHORTFALL.finditer(note):
                item = ITEM_PREFIX.sub("", m["item"])
                rules.append(ShortfallRule(item, float(m["target"]), float(m["penalty"]), table, m.group(0)))
    return rules


def _counts(table: Table) -> dict[str, float]:
    counts = {}
    for row in table.rows:
        for cell in row:
            if cell.col >= table.label_cols and cell.value is not None and cell.row_label:
                counts[cell.row_label] = cell.value
    return counts


def check_stated_rules(doc: Document) -> list[Finding]:
    out = []
    for rule in stated_rules(doc):
        counts = _counts(rule.source)
        for table in doc.tables:
            if table is rule.source:
                continue
            for col in value_columns(table):
                if rule.item not in label_of(col) or col.max_points is None:
                    continue
                for r in range(table.n_rows):
                    cell = cell_at(table, r, col.index)
                    if cell is None or cell.value is None or cell.row_label not in counts:
                        continue
                    count = counts[cell.row_label]
                    expected = rule.score(count, col.max_points)
                    arithmetic = f"{col.max_points:g} - {rule.penalty:g} × max(0, {rule.target:g} - {count:g}) = {expected:g}"
                    msg = f"「{cell.row_label}」{label_of(col)}: 规则「{rule.text}」，{rule.item} {count:g}，应得 {expected:g}，表中为 {cell.text}"
                    locs = [location(table, cell)]
                    if math.isclose(expected, cell.value, abs_tol=1e-9):
                        out.append(passed(doc.doc_id, "stated_rule", msg, expected, cell.value, 0.0, locs, arithmetic))
                    else:
                        out.append(failed(doc.doc_id, "stated_rule", msg + ("（该行取值位置不确定）" if cell.unsure else ""),
                                          expected, cell.value, 0.0, locs, arithmetic,
                                          severity="info" if cell.unsure else "error"))
    return out
