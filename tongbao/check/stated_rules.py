"""Scoring rules a document states ("本月领导值周 8 次为达标，少一次扣 0.5 分"), turned into Rules for the engine.

The rule's counts come from the table the note is printed under; the scores it governs are the
column of another table whose label names the same item and carries its maximum points.
"""
from __future__ import annotations

import re

from ..model import Document, Finding
from .rules import Join, Rule, run_rules
from .tableview import label_of, value_columns

# "<item> 8 次为达标，少一次扣 0.5 分"
PER_SHORTFALL = re.compile(
    r"(?P<item>[\u4e00-\u9fff]{2,12}?)\s*(?P<target>\d+(?:\.\d+)?)\s*(?P<unit>次|件|天|人次|个)\s*(?:为|即为|视为)?达标\s*[，,]\s*"
    r"(?:每)?少\s*(?:一|1)\s*(?:次|件|天|人次|个)\s*扣\s*(?P<penalty>\d+(?:\.\d+)?)\s*分")
ITEM_PREFIX = re.compile(r"^(本月|本季度|每月|当月)")
COUNT = "达标计数"  # the formula's name for the joined count


def stated_rules(doc: Document) -> list[Rule]:
    """One Rule per (stated rule, table column it governs); a governed table takes the nearest note."""
    found = []  # (table index, source table, count column, match)
    for i, source in enumerate(doc.tables):
        counts = value_columns(source)
        if len(counts) != 1:
            continue
        for note in source.notes:
            for m in PER_SHORTFALL.finditer(note):
                found.append((i, source, counts, m))
    rules = []
    for j, table in enumerate(doc.tables):
        by_item: dict[str, tuple] = {}
        for i, source, counts, m in sorted(found, key=lambda f: abs(f[0] - j)):
            by_item.setdefault(ITEM_PREFIX.sub("", m["item"]), (source, counts, m))
        for item, (source, counts, m) in by_item.items():
            if table is source:
                continue
            for col in value_columns(table):
                if col.max_points is None or item not in label_of(col):
                    continue
                formula = (f"col({label_of(col)!r}) == max(0, {col.max_points:g} - {m['penalty']} * "
                           f"max(0, {m['target']} - {COUNT}))")
                rules.append(Rule(name=m.group(0), formula=formula, table=table.table_id, source="document",
                                  joins=[Join(source.table_id, label_of(counts[0]), COUNT)], check="stated_rule"))
    return rules


def check_stated_rules(doc: Document) -> list[Finding]:
    return run_rules(doc, stated_rules(doc))
