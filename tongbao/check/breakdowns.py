"""A stated total against the list that breaks it down ("共发生…4(次)。具体情况为：迟到3人次、空岗1人次").

The parts may not exceed the total; parts that add up to less are only noted, since a "其中" list
need not be exhaustive.
"""
from __future__ import annotations

import math
import re

from ..model import Document, Figure, Finding
from .results import failed, passed, undecided

MARKER = re.compile(r"^[\s，,：:。；;（(]*(其中|具体情况为|具体为|分别为|分别是|包括)\s*[:：]?")
TOTAL_WORDS = ("共", "总", "全部", "合计", "累计")
COUNT_FAMILY = {"件": "件", "项": "项", "个": "个", "家": "家", "封": "封", "次": "次", "人次": "次", "人": "人", "名": "人"}
SENTENCE_END = "。；;\n）)"


def _family(fig: Figure) -> str | None:
    return COUNT_FAMILY.get(fig.unit or "")


def _is_change(fig: Figure) -> bool:
    return bool(fig.qualifier) and fig.qualifier in ("增长", "下降", "减少", "提升", "提高", "同比", "环比")


def breakdowns(doc: Document) -> list[tuple[Figure, list[Figure]]]:
    """(total, parts) for every count followed by a 其中 / 具体情况为 list of counts of the same kind."""
    figs = sorted((f for f in doc.figures if _family(f) and not _is_change(f)), key=lambda f: f.start)
    out = []
    for i, total in enumerate(figs):
        after = doc.text[total.end:total.end + 40]
        m = MARKER.match(after)
        if not m:
            continue
        start = total.end + m.end()
        stop = min((doc.text.find(ch, start) for ch in SENTENCE_END if doc.text.find(ch, start) >= 0), default=len(doc.text))
        parts = [f for f in figs[i + 1:] if start <= f.start < stop and _family(f) == _family(total)]
        if len(parts) >= 2 or (len(parts) == 1 and m.group(1) != "其中"):
            out.append((total, parts))
    return out


def check_breakdowns(doc: Document) -> list[Finding]:
    out = []
    for total, parts in breakdowns(doc):
        expected = sum(p.value for p in parts)
        arithmetic = " + ".join(p.text for p in parts) + f" = {expected:g}（总数 {total.text}）"
        locs = [{"figure_id": f.figure_id, "start": f.start, "end": f.end, "text": f.text, "page": f.page} for f in [total, *parts]]
        what = f"「{total.metric or total.text}」{total.text} 的分项"
        if math.isclose(expected, total.value):
            out.append(passed(doc.doc_id, "breakdown", f"{what}之和相符", expected, total.value, 0.0, locs, arithmetic))
        elif expected > total.value:
            out.append(failed(doc.doc_id, "breakdown", f"{what}之和 {expected:g} 超过总数 {total.text}", expected, total.value, 0.0,
                              locs, arithmetic))
        elif any(w in (total.metric or "") for w in TOTAL_WORDS) or len(parts) >= 2:
            out.append(undecided(doc.doc_id, "breakdown", f"{what}之和 {expected:g} 少于总数 {total.text}（所列分项可能不全）",
                                 expected, total.value, 0.0, locs, arithmetic))
    return out
