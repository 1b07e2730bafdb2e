"""The period a bulletin's title names against the period its body reports and its issue date.

"烟台市12345热线2023年五月份运行情况通报" over a body that opens "2023年6月，市12345热线共受理…" and
a table titled "2023年6月各区市…" is an inconsistency: both are printed, so it is an error. The body's
period is computed here from the text (tongbao.nlp.periods): the periods its sentences open with
(or that a comma follows, or that head a line), never dates, deadlines, comparisons or ranges. The
title is consistent when the body names its period that way at least once; a body that names no
period at the title's grain (months for a monthly title) says nothing. A period that begins after
the issue date is an error too.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from ..model import Document, Finding
from ..nlp.periods import PeriodMention, period_mentions, title_period
from ..normalize.script import aligned_simplified, to_simplified
from .results import failed, passed


def _issued(doc: Document) -> dt.date | None:
    try:
        return dt.date.fromisoformat(doc.issue_date) if doc.issue_date else None
    except ValueError:
        return None


def _resolve(p: PeriodMention, year: int | None, issued: dt.date | None) -> tuple[str, int, int] | None:
    """(kind, year, value) with a missing year taken from the title, else from the issue date (a January
    bulletin about December speaks of the year before)."""
    y = p.year or year
    if y is None and issued is not None:
        y = issued.year
        first_month = p.value if p.kind == "month" else 3 * (p.value - 1) + 1
        if first_month > issued.month:
            y -= 1
    return (p.kind, y, p.value) if y else None


def _label(key: tuple[str, int, int]) -> str:
    kind, y, v = key
    return f"{y}-{v:02d}" if kind == "month" else f"{y}-Q{v}"


def _start(key: tuple[str, int, int]) -> dt.date:
    kind, y, v = key
    return dt.date(y, v if kind == "month" else 3 * (v - 1) + 1, 1)


def _title_span(doc: Document) -> tuple[int, int]:
    """Where the title is printed: the lines holding it (a title may wrap over two)."""
    if not doc.title:
        return (0, 0)
    plain = aligned_simplified(doc.text)
    title = "".join((to_simplified(doc.title) or "").split())
    lo = hi = None
    pos = 0
    for line in plain.split("\n"):
        squeezed = "".join(line.split())
        if squeezed and (squeezed in title) and len(squeezed) >= 4:
            lo = pos if lo is None else lo
            hi = pos + len(line)
        elif lo is not None:
            break
        pos += len(line) + 1
        if pos > 3000:
            break
    return (lo, hi) if lo is not None else (0, 0)


def check_periods(doc: Document) -> list[Finding]:
    issued = _issued(doc)
    t_lo, t_hi = _title_span(doc)
    tp = title_period(doc.title)
    t_key = _resolve(tp, None, issued) if tp else None
    body = [p for p in period_mentions(doc.text) if not (t_lo <= p.start < t_hi) and p.topic]
    year = t_key[1] if t_key else None
    keys = [(p, k) for p in body if (k := _resolve(p, year, issued))]
    out: list[Finding] = []
    title_loc = {"start": t_lo, "end": t_hi, "text": doc.text[t_lo:t_hi][:80]}
    if t_key and issued and _start(t_key) > issued:
        out.append(failed(doc.doc_id, "period", f"标题所称期间「{tp.text}」（{_label(t_key)}）晚于发文日期 {doc.issue_date}",
                          locations=[title_loc], arithmetic=f"{_label(t_key)} > {doc.issue_date}"))
    if t_key:
        same = [(p, k) for p, k in keys if k[0] == t_key[0]]
        if not same:
            return out
        counts = Counter(k for _, k in same)
        if t_key in counts:
            out.append(passed(doc.doc_id, "period", f"标题所称期间「{tp.text}」（{_label(t_key)}）与正文相符（正文 {counts[t_key]} 处）",
                              locations=[title_loc], arithmetic=f"{_label(t_key)} = {_label(t_key)}"))
            return out
        body_key, n = counts.most_common(1)[0]
        shown = [p for p, k in same if k == body_key]
        quoted = "、".join(f"「{doc.text[p.start:min(len(doc.text), p.end + 12)].splitlines()[0]}…」" for p in shown[:3])
        msg = (f"标题所称期间「{tp.text}」（{_label(t_key)}）与正文不符：正文所述为 {_label(body_key)}（{n} 处：{quoted}）")
        if issued:
            msg += f"；发文日期 {doc.issue_date}"
        if doc.period_label == _label(t_key):
            msg += f"；数据集的 period_label 取自标题（{doc.period_label}）"
        out.append(failed(doc.doc_id, "period", msg, locations=[title_loc] + [{"start": p.start, "end": p.end, "text": p.text}
                                                                             for p in shown[:3]],
                          arithmetic=f"{_label(t_key)} ≠ {_label(body_key)}"))
        return out
    if keys and issued:
        body_key, n = Counter(k for _, k in keys).most_common(1)[0]
        if _start(body_key) > issued:
            out.append(failed(doc.doc_id, "period", f"正文所述期间 {_label(body_key)}（{n} 处）晚于发文日期 {doc.issue_date}",
                              locations=[{"start": p.start, "end": p.end, "text": p.text} for p, k in keys if k == body_key][:3],
                              arithmetic=f"{_label(body_key)} > {doc.issue_date}"))
    return out
