"""A list of shares ("城乡建设318件，占25.2%；劳动和社会保障207件，占16.4%；…") against the one base
its items share, found by consensus.

Candidates for the base: the count the sentence names ("在受理的1264件来信中", "占派发工单的"), every
total stated before the list (in this paragraph or any earlier one), the sum of the list's own counts,
and the tables' column totals. A named base is the base; otherwise the one that makes the most items
round right wins (ties go to a stated total, then to the sum, then to the nearest). Each item is then
checked against it, telling rounded, truncated, rounded up and nudged-to-100 apart as percentages.py does.

Severity follows certainty: an item that disagrees with a named base is an error; so it is with a
consensus base that is both a stated total and the sum of the list's counts, and that most items
agree with. Any other disagreement is a warning that says which base was assumed, and a list no
printed base makes right is only noted.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..model import Document, Figure, Finding
from ..nlp.shares import ShareList, find_share_lists
from .bindings import counts, figure_location, fmt, names, same_family
from .explain import nudged_to_100
from .intervals import ROUNDED, ROUNDED_UP, TRUNCATED, percent_modes, rounded
from .narrative import column_totals
from .percentages import MODE_TEXT
from .results import failed, passed, undecided
from .tableview import is_rank_column

SINGLE_ITEM_REACH = 400  # a lone "n件，占p%" looks for an unnamed base this many characters back at most


@dataclass
class Base:
    value: float
    text: str
    source: str  # named / stated / sum / table
    why: str
    fig: Figure | None = None
    locations: list | None = None


def _modes(item, base: Base) -> set[str]:
    return percent_modes(item.count.value, base.value, item.share.value, item.share.decimals or 0)


def _agrees(item, base: Base) -> bool:
    m = _modes(item, base)
    return ROUNDED in m or ROUNDED_UP in m


def _candidates(doc: Document, sl: ShareList, stated: list[Figure]) -> list[Base]:
    top = max(it.count.value for it in sl.items)
    first = sl.items[0].count
    earlier = [c for c in stated if c.end <= sl.start and same_family(c, first) and c.value >= top
               and all(c is not it.count for it in sl.items)]
    out: list[Base] = []
    if sl.within is not None:
        out.append(Base(sl.within.value, sl.within.text, "named", f"句中所称「{(sl.within.metric or '').strip()}{sl.within.text}」中",
                        sl.within))
    if sl.base_phrase:
        hits = [c for c in earlier if names(sl.base_phrase, c)]
        if hits:
            c = hits[-1]
            out.append(Base(c.value, c.text, "named", f"所称「{sl.base_phrase}」即前文「{c.metric}」{c.text}", c))
    reach = 0 if len(sl.items) > 1 else sl.start - SINGLE_ITEM_REACH
    for c in earlier:
        if c.start >= reach and not any(b.fig is c for b in out):
            out.append(Base(c.value, c.text, "stated", f"前文「{c.metric or ''}」{c.text}", c))
    if len(sl.items) > 1:
        total = sum(it.count.value for it in sl.items)
        out.append(Base(total, f"{fmt(total)}（各项之和）", "sum", f"所列各项之和 {fmt(total)}"))
    for table in doc.tables:
        for ct in column_totals(table):
            col = next((c for c in table.columns if c.path == ct.path), None)
            if col is not None and is_rank_column(col):
                continue
            if ct.value >= top and float(ct.value).is_integer():
                out.append(Base(ct.value, fmt(ct.value), "table",
                                f"表「{table.title or table.table_id}」「{' / '.join(ct.path)}」合计 {fmt(ct.value)}",
                                locations=[ct.cells[0].location(table.table_id)] if len(ct.cells) == 1 else []))
    return out


_PRIORITY = {"named": 3, "stated": 2, "sum": 1, "table": 0}


def _choose(sl: ShareList, cands: list[Base]) -> tuple[Base | None, int]:
    if not cands:
        return None, 0
    agree = {id(b): sum(_agrees(it, b) for it in sl.items) for b in cands}
    named = [b for b in cands if b.source == "named"]
    best = max(cands, key=lambda b: (agree[id(b)], _PRIORITY[b.source], b.fig.start if b.fig else -1))
    if named:  # the text names the base: it is the base, whatever else would fit
        return named[0], agree[id(named[0])]
    return best, agree[id(best)]


def check_share_lists(doc: Document) -> list[Finding]:
    stated = counts(doc)
    out: list[Finding] = []
    for sl in find_share_lists(doc.text, doc.figures):
        out.extend(_check_list(doc, sl, _candidates(doc, sl, stated)))
    return out


def _item_locs(item, base: Base) -> list[dict]:
    locs = [figure_location(item.count)]
    if base.fig is not None:
        locs.append(figure_location(base.fig))
    locs.extend(base.locations or [])
    return locs + [figure_location(item.share)]


def _check_list(doc: Document, sl: ShareList, cands: list[Base]) -> list[Finding]:
    n = len(sl.items)
    base, agree = _choose(sl, cands)
    listed = "；".join(f"{it.label}{it.count.text}，{it.share.text}" for it in sl.items)
    if base is None or (agree == 0 and base.source != "named"):
        tried = "、".join(dict.fromkeys(b.text for b in cands)) or "无"
        return [undecided(doc.doc_id, "percentage", f"占比列表（{listed[:60]}）: 正文未写明基数，所印数字中没有一个能使任一项成立"
                          f"（试过 {tried}）", locations=[figure_location(f) for it in sl.items for f in (it.count, it.share)])]
    total = sum(it.count.value for it in sl.items)
    equals_sum = n > 1 and math.isclose(total, base.value)
    certain = base.source == "named" or (base.source == "stated" and equals_sum and agree >= 2 and 2 * agree > n)
    why = base.why
    if base.source == "stated" and equals_sum:
        why += "，且等于所列各项之和"
    if n > 1 or base.source != "named":
        why += f"；{n} 项中 {agree} 项按此基数四舍五入相符"
    out: list[Finding] = []
    if base.source in ("named", "stated") and n > 1:
        locs = [figure_location(it.count) for it in sl.items] + ([figure_location(base.fig)] if base.fig else [])
        arithmetic = " + ".join(it.count.text for it in sl.items) + f" = {fmt(total)}（基数 {base.text}）"
        if equals_sum:
            out.append(passed(doc.doc_id, "share_sum", f"占比列表各项之和 {fmt(total)} 等于基数 {base.text}", base.value, total, 0.0,
                              locs, arithmetic))
        elif total > base.value:
            out.append(failed(doc.doc_id, "share_sum", f"占比列表各项之和 {fmt(total)} 超过基数 {base.text}（{why}）", base.value, total,
                              0.0, locs, arithmetic, severity="warning"))
    decimals = max(it.share.decimals or 0 for it in sl.items)
    exact = [100 * it.count.value / base.value for it in sl.items]
    verdicts = [_verdict(_modes(it, base)) for it in sl.items]
    nudged = nudged_to_100([it.share.value for it in sl.items], exact, decimals) if equals_sum else None
    if nudged and any(v != ROUNDED for v in verdicts):
        detail = "；".join(f"{it.label} {it.count.text} / {base.text} = {x:.4f}%，印为 {it.share.text}"
                          for it, x, v in zip(sl.items, exact, verdicts) if v != ROUNDED)
        return out + [failed(doc.doc_id, "percentage", f"占比列表（基数 {base.text}：{why}）: {nudged}：{detail}",
                             expected=sum(rounded(x, decimals) for x in exact), reported=sum(it.share.value for it in sl.items),
                             tolerance=0.5 * 10 ** -decimals, locations=[l for it in sl.items for l in _item_locs(it, base)],
                             arithmetic=detail, severity="warning")]
    rounds_elsewhere = sum(v == ROUNDED for v in verdicts)
    for it, x, verdict in zip(sl.items, exact, verdicts):
        d = it.share.decimals or 0
        arithmetic = f"{it.count.text} / {base.text} = {x:.4f}%"
        expected, tol = rounded(x, d), 0.5 * 10 ** -d
        locs = _item_locs(it, base)
        if verdict == ROUNDED:
            out.append(passed(doc.doc_id, "percentage", f"「{it.label}」{it.share.text}: {arithmetic}，四舍五入相符（基数：{why}）",
                              expected, it.share.value, tol, locs, arithmetic))
        elif verdict in (TRUNCATED, ROUNDED_UP):
            also = f"；同一列表其余 {rounds_elsewhere} 项均按四舍五入" if rounds_elsewhere else ""
            out.append(failed(doc.doc_id, "percentage", f"「{it.label}」{it.share.text}: {arithmetic}，四舍五入应为 {expected:.{d}f}%，"
                              f"只有按{MODE_TEXT[verdict]}才成立{also}（基数：{why}）", expected, it.share.value, tol, locs,
                              arithmetic, severity="warning"))
        else:
            trunc = math.floor(x * 10 ** d + 1e-9) / 10 ** d
            assumed = "" if certain else "；基数系推定，正文未写明"
            out.append(failed(doc.doc_id, "percentage", f"「{it.label}」{it.share.text} 与所列数字不符: {arithmetic}，四舍五入为 "
                              f"{expected:.{d}f}%，截尾为 {trunc:.{d}f}%（基数：{why}{assumed}）", expected, it.share.value, tol,
                              locs, arithmetic, severity="error" if certain else "warning"))
    return out


def _verdict(modes: set[str]) -> str:
    for mode in (ROUNDED, TRUNCATED, ROUNDED_UP):
        if mode in modes:
            return mode
    return "inconsistent"
