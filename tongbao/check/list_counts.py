"""A stated count against the list it announces: "排名前十位的单位依次为：" followed by nine names,
"共有12个窗口被评为“红旗窗口”，分别是：" followed by twelve.

Both numbers are printed, so a closed list of another length is an error. When an item holding 和 /
及 / 与 could be two names run together and that would make the count, the list is only noted; a list
ending with 等 names some members only and is checked not to name more than the count. For a ranked
list the table that ranks the names tells which one is left out.
"""
from __future__ import annotations

from ..model import Document, Finding
from ..nlp.lists import AnnouncedList, find_announced_lists
from ..normalize.script import to_simplified
from .rankings import PAREN, _scores
from .results import failed, passed, undecided


def _loc(doc: Document, a: AnnouncedList) -> dict:
    return {"start": a.start, "end": a.end, "text": doc.text[a.start:a.end][:80]}


def _left_out(doc: Document, a: AnnouncedList) -> str | None:
    """For a ranked list short of its count: the table rows ranked within the count but not listed."""
    for t in doc.tables:
        scores = _scores(t)
        if not scores:
            continue
        by_name = {to_simplified(PAREN.sub("", k)): v for k, v in scores.items()}
        if not all(i in by_name for i in a.items):
            continue
        order = sorted(by_name, key=lambda k: -by_name[k])
        missing = [(i + 1, name) for i, name in enumerate(order[:a.n]) if name not in a.items]
        if missing:
            where = "、".join(f"第{i}位「{name}」（{by_name[name]:g}）" for i, name in missing)
            return f"表「{t.title or t.table_id}」中排在{where}未列入"
    return None


def check_list_counts(doc: Document) -> list[Finding]:
    out = []
    for a in find_announced_lists(doc.text):
        k = len(a.items)
        what = f"「{a.preamble.strip()[-40:]}」"
        listed = "、".join(a.items)
        if k == a.n or (a.open and k <= a.n):
            how = "所列名单" + ("（以“等”结尾，未列全）" if a.open else "")
            out.append(passed(doc.doc_id, "count", f"{what}称 {a.n} 个，{how} {k} 个相符", expected=k, reported=a.n, tolerance=0.0,
                              locations=[_loc(doc, a)], arithmetic=listed))
            continue
        if a.closed and k < a.n <= a.max_items:
            out.append(undecided(doc.doc_id, "count", f"{what}称 {a.n} 个，所列按顿号分为 {k} 个；若其中含“和/及/与”的一项实为两个"
                                 "单位则相符，未作判断", expected=k, reported=a.n, locations=[_loc(doc, a)], arithmetic=listed))
            continue
        msg = f"{what}称 {a.n} 个，所列{'只有' if k < a.n else '却有'} {k} 个：{listed}"
        if k < a.n and a.kind == "ranking":
            why = _left_out(doc, a)
            if why:
                msg += f"；{why}"
        out.append(failed(doc.doc_id, "count", msg, expected=k, reported=a.n, tolerance=0.0, locations=[_loc(doc, a)],
                          arithmetic=listed))
    return out
