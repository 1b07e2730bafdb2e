"""A ranking claim in the text ("前五名…依次是：A、B、C") against the order of a table's scores.

Ties are honoured: equal scores may come in any order, and a listed top N only has to score at
least as high as every row left out.
"""
from __future__ import annotations

import re

from ..model import Document, Finding, Table
from ..nlp.rankings import find_rankings
from ..normalize.script import aligned_simplified, to_simplified
from .results import failed, passed
from .tableview import body_rows, cell_at, location, total_column

PAREN = re.compile(r"[(（][^)）]*[)）]")


def ranking_claims(text: str) -> list[tuple[int, int, list[str], str]]:
    """(start, end, items, preamble) of every ranked list the text states, in simplified characters; a list
    naming fewer items than it says is a claim on the items it names (list_counts.py reports the count)."""
    plain = aligned_simplified(text)
    return [(r.start, r.end, r.items, r.preamble) for r in find_rankings(plain, [(0, len(plain))]) if 2 <= len(r.items) <= r.n]


def _scores(table: Table) -> dict[str, float] | None:
    col = total_column(table)
    if col is None:
        return None
    scores: dict[str, float] = {}
    for r in body_rows(table):
        cell = cell_at(table, r, col.index)
        if cell is not None and cell.value is not None and cell.row_label:
            name = to_simplified(PAREN.sub("", cell.row_label))  # a list names 市住建局 for 市住建局(含市房屋交易中心)
            if name in scores:
                return None  # one row per name is needed to rank names
            scores[name] = cell.value
    return scores


def _overlap(a: str, b: str) -> int:
    return len(set(a) & set(b))


def _table_for(doc: Document, items: list[str], preamble: str):
    """The table whose row labels hold every item, preferring the title closest to the sentence."""
    fits = []
    for t in doc.tables:
        scores = _scores(t)
        if scores and all(i in scores for i in items):
            fits.append((_overlap(preamble, t.title or ""), t, scores))
    return max(fits, key=lambda x: x[0])[1:] if fits else (None, None)


def check_rankings(doc: Document) -> list[Finding]:
    out = []
    for start, end, items, preamble in ranking_claims(doc.text):
        table, scores = _table_for(doc, items, preamble)
        if table is None:
            continue
        problems = []
        for a, b in zip(items, items[1:]):
            if scores[a] < scores[b]:
                problems.append(f"{a}（{scores[a]:g}）排在 {b}（{scores[b]:g}）之前")
        floor = min(scores[i] for i in items)
        for name, value in scores.items():
            if name not in items and value > floor:
                problems.append(f"{name}（{value:g}）高于所列最低的 {floor:g} 却未列入")
        col = total_column(table)
        locs = [{"start": start, "end": end, "text": doc.text[start:end][:80]}] + [
            location(table, c) for r in body_rows(table) if (c := cell_at(table, r, col.index)) is not None
            and to_simplified(PAREN.sub("", c.row_label)) in items]
        listed = "、".join(f"{i}（{scores[i]:g}）" for i in items)
        what = f"排名「{preamble.strip()[:30]}…」对照表「{table.title or table.table_id}」"
        if problems:
            out.append(failed(doc.doc_id, "ranking", f"{what}: " + "；".join(problems[:5]), locations=locs, arithmetic=listed))
        else:
            out.append(passed(doc.doc_id, "ranking", f"{what}: 顺序与分值相符", locations=locs, arithmetic=listed))
    return out
