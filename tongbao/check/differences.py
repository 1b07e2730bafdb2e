"""A difference the text states: a whole, parts of it, and what is left ("受理投诉86件，已办结71件，
其余15件正在办理"), or two complementary parts ("转派13874件，已办结12818件，未办结1056件").

The arithmetic is only asked of parts the text says are disjoint and make up the whole: a remainder
word (其余 / 剩余 / 余下 / 尚余) before a count, or a pair the same verb divides (已办结 / 未办结, 办结 /
未办结), after a count stated as a whole (共 / 总 / 受理 / 转派 …). Parts merely listed after a whole need not be either: "转派工单中，经回访确认办结的11879件，
截至8月31日仍在办理的1056件，其余已办结工单正在回访" says that more than these were 办结, so 13874 −
11879 is not the 1056 still open, and nothing is asked of it.
"""
from __future__ import annotations

import math
import re

from ..model import Document, Figure, Finding
from .bindings import counts, figure_location, fmt, same_family, simple
from .explain import left_out
from .results import failed, passed

REMAINDER = re.compile(r"(其余|剩余|余下|尚余)[^，,。；;\d]{0,8}$")  # 其他 names a category, not what is left
WHOLE = re.compile(r"(共|总|全部|合计|累计|受理|收到|转派|派发|转办)")  # a count stated as a whole
NEGATED = re.compile(r"(未|尚未|没有|未能)")
SCOPE_END = "。；;\n"


def _clause_before(text: str, fig: Figure) -> str:
    lo = max(text.rfind(ch, 0, fig.start) for ch in "，,。；;：:\n") + 1
    return text[lo:fig.start]


def _sentence_start(text: str, pos: int) -> int:
    return max(text.rfind(ch, 0, pos) for ch in SCOPE_END) + 1


def _verb(metric: str) -> tuple[str, bool] | None:
    """"已办结" → ("办结", False), "未办结" → ("办结", True), "截至12月31日未办结" → ("办结", True)."""
    m = simple(metric)
    neg = NEGATED.search(m)
    if neg:
        return (m[neg.end():], True) if len(m) - neg.end() >= 2 else None
    m = re.sub(r"^.*?已", "", m) if "已" in m else m
    return (m, False) if len(m) >= 2 else None


def check_differences(doc: Document) -> list[Finding]:
    figs = counts(doc)
    out = []
    for i, rest in enumerate(figs):
        clause = simple(_clause_before(doc.text, rest))
        s0 = _sentence_start(doc.text, rest.start)
        earlier = [f for f in figs[:i] if f.start >= s0 and same_family(f, rest)]
        if REMAINDER.search(clause) and len(earlier) >= 2:
            why = f"「{clause.strip()}」{rest.text}为其余部分"
            chain = next((j for j, w in enumerate(earlier[:-1])
                          if math.isclose(w.value, sum(p.value for p in earlier[j + 1:]) + rest.value)), None)
            if chain is not None:
                out.append(_judge(doc, earlier[chain], earlier[chain + 1:] + [rest], why))
                continue
            whole = max(earlier[:-1], key=lambda f: f.value)
            parts = [f for f in earlier if f.start > whole.start]
            if whole.value < max(p.value for p in parts + [rest]) or not WHOLE.search(simple(whole.metric)):
                continue
            clean = whole is earlier[0] and all(p.value < whole.value for p in earlier[1:])
            out.append(_judge(doc, whole, parts + [rest], why + ("" if clean else "；总数系推定"), certain=clean))
            continue
        # a complementary pair (已办结 / 未办结, 办结 / 未办结) right after their whole, in one sentence
        v = _verb(rest.metric or "")
        if v and v[1] and len(earlier) >= 2:
            whole, partner = earlier[-2], earlier[-1]
            pv = _verb(partner.metric or "")
            if (pv and not pv[1] and pv[0] == v[0] and whole.value >= max(partner.value, rest.value)
                    and (WHOLE.search(simple(whole.metric)) or math.isclose(whole.value, partner.value + rest.value))):
                out.append(_judge(doc, whole, [partner, rest], f"「{partner.metric}」与「{rest.metric}」互补"))
    return out


def _judge(doc: Document, whole: Figure, parts: list[Figure], why: str, certain: bool = True) -> Finding:
    expected = sum(p.value for p in parts)
    arithmetic = " + ".join(p.text for p in parts) + f" = {fmt(expected)}（总数 {whole.text}）"
    locs = [figure_location(f) for f in [whole, *parts]]
    what = f"「{(whole.metric or '').strip()}」{whole.text}"
    if math.isclose(expected, whole.value):
        return passed(doc.doc_id, "difference", f"{what} 等于各部分之和（{why}）", expected, whole.value, 0.0, locs, arithmetic)
    explain = left_out(expected, whole.value, [(p.metric or p.text, p.value) for p in parts], "项")
    return failed(doc.doc_id, "difference", f"{what} 与各部分之和 {fmt(expected)} 不符（{why}）" + (f"；{explain}" if explain else ""),
                  expected, whole.value, 0.0, locs, arithmetic, severity="error" if certain else "warning")
