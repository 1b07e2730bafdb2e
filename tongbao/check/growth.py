"""Growth claims ("本月办件总量比上月增长 16%") against the previous period's bulletin from the same issuer.

Runs after the batch is merged, since it needs two documents. When the previous bulletin is not in
the batch, an info finding says the claim could not be checked.
"""
from __future__ import annotations

import re

from ..model import Document, Figure, Finding
from .intervals import ROUNDED, TRUNCATED, percent_modes, rounded
from .results import failed, passed, undecided

UP = ("增长", "提升", "提高", "上升", "增加")
DOWN = ("下降", "减少", "回落", "降低")
YEAR_ON_YEAR = ("同比", "比去年同期", "较去年同期")
COMPARISON = re.compile(r"(比上月|较上月|环比|比上季度|较上季度|同比|比去年同期|较去年同期|相比上月)")
SUBJECT_NOISE = re.compile(r"^(本月|本季度|本期|其中|全市|当月)+|(比上月|较上月|环比|比上季度|较上季度|同比|比去年同期|较去年同期|相比上月)")
COUNT_UNITS = ("件", "项", "次", "人次", "个", "家", "封", "元", "万元", "亿元")


PERIOD_LABEL = re.compile(r"(\d{4})-(?:(\d{2})|Q(\d))")  # 2020-11, or 2022-Q2


def previous_period(label: str | None, year_on_year: bool) -> str | None:
    """2020-11 → 2020-10 (or 2019-11 year on year); 2022-Q2 → 2022-Q1."""
    m = PERIOD_LABEL.fullmatch(label or "")
    if not m:
        return None
    year, quarterly = int(m[1]), m[3] is not None
    n, per_year = (int(m[3]), 4) if quarterly else (int(m[2]), 12)
    if year_on_year:
        year -= 1
    elif n == 1:
        year, n = year - 1, per_year
    else:
        n -= 1
    return f"{year}-Q{n}" if quarterly else f"{year}-{n:02d}"


def growth_claims(doc: Document) -> list[tuple[Figure, str, int, bool]]:
    """(figure, subject, direction ±1, year_on_year) for every stated change in percent."""
    out = []
    for fig in doc.figures:
        if fig.unit != "%":
            continue
        clause = _clause_before(doc.text, fig.start)
        word = next((w for w in UP + DOWN if clause.endswith(w) or clause.rstrip().endswith(w)), None)
        if word is None:
            continue
        sentence_start = max(doc.text.rfind(ch, 0, fig.start) for ch in "。\n") + 1
        if not COMPARISON.search(doc.text[sentence_start:fig.start]):
            continue
        subject = SUBJECT_NOISE.sub("", clause.rstrip()[: -len(word)]).strip()
        if subject:
            out.append((fig, subject, -1 if word in DOWN else 1, any(w in clause for w in YEAR_ON_YEAR)))
    return out


def _clause_before(text: str, pos: int) -> str:
    start = max(text.rfind(ch, 0, pos) for ch in "，,。；;：:\n")
    return text[start + 1:pos]


def _core(text: str) -> str:
    return re.sub(r"(类|数|量|件)+$", "", re.sub(r"[(（][^)）]*[)）]", "", text or ""))


def _value_for(doc: Document, subject: str) -> Figure | None:
    """The count the document states for a subject: its metric names the subject or the subject names it."""
    subject_core = _core(subject)
    best = None
    for fig in doc.figures:
        if fig.unit not in COUNT_UNITS or fig.qualifier in UP + DOWN:
            continue
        metric = _core(SUBJECT_NOISE.sub("", fig.metric or ""))
        if len(metric) >= 2 and (metric in subject_core or subject_core in metric):
            if best is None or len(metric) > len(_core(best.metric or "")):
                best = fig
    return best


def run_cross_document_checks(docs: list[Document]) -> None:
    """Check every growth claim of every document against its previous bulletin in the batch."""
    by_key = {(d.issuer, d.period_label): d for d in docs if d.issuer and d.period_label}
    for doc in docs:
        add_growth_findings(doc, by_key)


def add_growth_findings(doc: Document, by_key) -> None:
    """Check one document's growth claims; `by_key.get((issuer, period_label))` gives a bulletin of
    the batch (a dict, or a store that loads documents as they are asked for)."""
    try:
        found = check_growth(doc, by_key)
    except Exception as exc:  # a check bug is reported on the document, not fatal to the batch
        found = [undecided(doc.doc_id, "growth", f"check growth could not run: {type(exc).__name__}: {exc}")]
    for i, f in enumerate(found, start=len(doc.checks) + 1):
        f.finding_id = f"{doc.doc_id[:12]}-c{i}"
    doc.checks.extend(found)
    doc.findings.extend(f for f in found if f.severity != "pass")


def check_growth(doc: Document, by_key: dict) -> list[Finding]:
    out = []
    for fig, subject, direction, yoy in growth_claims(doc):
        prev_label = previous_period(doc.period_label, yoy)
        prev_doc = by_key.get((doc.issuer, prev_label))
        current = _value_for(doc, subject)
        loc = [{"figure_id": fig.figure_id, "start": fig.start, "end": fig.end, "text": fig.text, "page": fig.page}]
        if prev_doc is None:
            out.append(undecided(doc.doc_id, "growth", f"「{subject}」{'增长' if direction > 0 else '减少'} {fig.text}: 上一期（{prev_label}）通报不在本批文件中，无法核对",
                                 reported=fig.value, locations=loc))
            continue
        previous = _value_for(prev_doc, subject)
        if current is None or previous is None or not previous.value:
            out.append(undecided(doc.doc_id, "growth", f"「{subject}」{fig.text}: 本期或上一期通报中找不到对应数值，无法核对",
                                 reported=fig.value, locations=loc))
            continue
        change = (current.value - previous.value) / previous.value * 100
        decimals = fig.decimals or 0
        modes = percent_modes(abs(current.value - previous.value), previous.value, fig.value, decimals) if (change >= 0) == (direction > 0) else set()
        arithmetic = f"({current.text} - {previous.text}) / {previous.text} = {change:+.4f}%"
        locs = loc + [{"figure_id": current.figure_id, "text": current.text, "page": current.page},
                      {"doc_id": prev_doc.doc_id, "figure_id": previous.figure_id, "text": previous.text, "page": previous.page}]
        expected = rounded(abs(change), decimals)
        msg = f"「{subject}」比上期{'增长' if direction > 0 else '减少'} {fig.text}: {arithmetic}"
        if ROUNDED in modes:
            out.append(passed(doc.doc_id, "growth", msg + "，相符", expected, fig.value, 0.5 * 10 ** -decimals, locs, arithmetic))
        elif TRUNCATED in modes:
            out.append(failed(doc.doc_id, "growth", msg + "，只有按截尾才成立", expected, fig.value, 0.5 * 10 ** -decimals, locs,
                              arithmetic, severity="warning"))
        else:
            out.append(failed(doc.doc_id, "growth", msg + f"，应为 {'增长' if change >= 0 else '减少'} {abs(change):.{max(decimals, 1)}f}%",
                              expected, fig.value, 0.5 * 10 ** -decimals, locs, arithmetic))
    return out
