"""A stated total against the list that breaks it down ("共发生…4(次)。具体情况为：迟到3人次、空岗1人次").

The parts may not exceed the total; parts that add up to less are only noted, since a "其中" list
need not be exhaustive.
"""
from __future__ import annotations

import math
import re

from ..model import Document, Figure, Finding
from .explain import left_out
from .kinds import is_change
from .results import failed, passed, undecided

MARKER = re.compile(r"^[\s，,：:。；;（(]*(其中|具体情况为|具体为|分别为|分别是|包括)\s*[:：]?")
TOTAL_WORDS = ("共", "总", "全部", "合计", "累计")
COUNT_FAMILY = {"件": "件", "项": "项", "个": "个", "家": "家", "封": "封", "次": "次", "人次": "次", "人": "人", "名": "人"}
SENTENCE_END = "。；;\n）)"
OPENING = re.compile(r"(?:(?<=[。\n])|(?<=。\s))\s*其中\s*[，,：:]?")


def _family(fig: Figure) -> str | None:
    return COUNT_FAMILY.get(fig.unit or "")


def _is_change(fig: Figure) -> bool:
    return is_change(fig)


def breakdowns(doc: Document) -> list[tuple[Figure, list[Figure], list[Figure]]]:
    """(total, parts, siblings) for every count followed by a 其中 / 具体情况为 list of counts of the same kind.

    A 其中 that opens a new sentence ("…超期办结1137件。其中按期办结61987件…") speaks of the previous
    sentence's subject, not of its last number: the total is then the count of that sentence the parts
    (with the counts stated beside the total, `siblings`) add up to, and no total is taken when none does."""
    figs = sorted((f for f in doc.figures if _family(f) and not _is_change(f)), key=lambda f: f.start)
    out = []
    covered = set()
    for i, total in enumerate(figs):
        after = doc.text[total.end:total.end + 40]
        m = MARKER.match(after)
        if not m:
            continue
        start = total.end + m.end()
        stop = min((doc.text.find(ch, start) for ch in SENTENCE_END if doc.text.find(ch, start) >= 0), default=len(doc.text))
        parts = [f for f in figs[i + 1:] if start <= f.start < stop and _family(f) == _family(total)]
        covered.add(start)
        if not (len(parts) >= 2 or (len(parts) == 1 and m.group(1) != "其中")):
            continue
        if m.group(1) != "其中" or ("。" not in after[:m.start(1)] and "\n" not in after[:m.start(1)]):
            out.append((total, parts, []))
            continue
        s0 = max(doc.text.rfind(ch, 0, total.start) for ch in "。\n；;") + 1
        earlier = [f for f in figs[:i + 1] if f.start >= s0 and _family(f) == _family(total)]
        found = _total_among(earlier, parts)
        out.append((found[0], parts, found[1]) if found else (None, parts, earlier))
    # a sentence opening with 其中 after a sentence that ends on something else than a count
    # ("共受理41628件，较7月增加1486件，环比增长3.7%。其中电话渠道33517件，网络渠道8111件。")
    for m in OPENING.finditer(doc.text):
        start = m.end()
        if any(abs(start - c) <= 2 for c in covered):
            continue
        stop = min((doc.text.find(ch, start) for ch in SENTENCE_END if doc.text.find(ch, start) >= 0), default=len(doc.text))
        boundary = doc.text[:m.start()].rstrip()
        s0 = max(doc.text.rfind(ch, 0, len(boundary) - 1) for ch in "。\n；;") + 1
        parts = [f for f in figs if start <= f.start < stop]
        earlier = [f for f in figs if s0 <= f.start < m.start()]
        if len(parts) < 2 or len({_family(f) for f in parts}) != 1:
            continue
        earlier = [f for f in earlier if _family(f) == _family(parts[0])]
        found = _total_among(earlier, parts)
        if found is not None:
            out.append((found[0], parts, found[1]))
    return out


def _total_among(earlier: list[Figure], parts: list[Figure]) -> tuple[Figure, list[Figure]] | None:
    """The count of the sentence before that the parts add up to, alone or with the counts stated after it."""
    for cand in earlier:
        if math.isclose(sum(p.value for p in parts), cand.value):
            return cand, []
        siblings = [f for f in earlier if f.start > cand.start]
        if siblings and math.isclose(sum(p.value for p in parts + siblings), cand.value):
            return cand, siblings
    return None


def check_breakdowns(doc: Document) -> list[Finding]:
    out = []
    for total, parts, siblings in breakdowns(doc):
        if total is None:
            listed = " + ".join(p.text for p in parts)
            out.append(undecided(doc.doc_id, "breakdown", f"另起一句的「其中」分项（{listed}）未能对应前一句的任何总数"
                                 f"（{'、'.join(f.text for f in siblings) or '无'}），未作核对",
                                 locations=[_loc(f) for f in parts + siblings]))
            continue
        items = parts + siblings
        expected = sum(p.value for p in items)
        arithmetic = " + ".join(p.text for p in items) + f" = {expected:g}（总数 {total.text}）"
        locs = [_loc(f) for f in [total, *items]]
        what = f"「{total.metric or total.text}」{total.text} 的分项"
        if math.isclose(expected, total.value):
            out.append(passed(doc.doc_id, "breakdown", f"{what}之和相符", expected, total.value, 0.0, locs, arithmetic))
        elif expected > total.value:
            why = left_out(expected, total.value, [(p.metric or p.text, p.value) for p in items], "项")
            out.append(failed(doc.doc_id, "breakdown", f"{what}之和 {expected:g} 超过总数 {total.text}" + (f"；{why}" if why else ""),
                              expected, total.value, 0.0, locs, arithmetic))
        elif any(w in (total.metric or "") for w in TOTAL_WORDS) or len(parts) >= 2:
            why = left_out(expected, total.value, [(p.metric or p.text, p.value) for p in items], "项")
            out.append(undecided(doc.doc_id, "breakdown", f"{what}之和 {expected:g} 少于总数 {total.text}（所列分项可能不全）"
                                 + (f"；{why}" if why else ""), expected, total.value, 0.0, locs, arithmetic))
    return out


def _loc(f: Figure) -> dict:
    return {"figure_id": f.figure_id, "start": f.start, "end": f.end, "text": f.text, "page": f.page}
