"""Share lists in narrative text: "城乡建设318件，占25.2%；劳动和社会保障207件，占16.4%；…".

Each item is a count followed by the percentage it makes of a base the list shares. The base may be
named in the sentence ("在受理的1264件来信中，已办结1187件，占93.9%"), named by the items
("占派发工单的1.8%"), or left to the reader (the total stated in the paragraph before): the check
finds it (tongbao.check.share_lists).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Figure
from ..normalize.script import aligned_simplified
from .pipeline import compact

# between an item's count and its percentage: "，占" "，占比" "，占来信总量的" "（" "，约占"
LINK = re.compile(r"\s*[，,]?\s*(?:[（(]\s*(?:占比?)?|约?占(?:比(?:为|达)?|(?P<base>[^，,；;。%\d\s]{1,16}?)(?:的)?(?:比例|比重)?(?:为|达)?)?)\s*")
# what may stand between two items of one list
GAP_LIMIT = 40
LIST_BREAK = re.compile(r"。|\n\s*\n")
LABEL_CUT = re.compile(r"[，,；;：:、。\n（(）)]")
LABEL_NOISE = re.compile(r"^(其中|另有|另|以及|及|和|按[^，,]{0,8}分类|分别为|分别是|依次为|主要是|主要为)+")
# the sentence names the base: "在受理的1264件来信中，…" or "1264件来信中，…"
WITHIN = re.compile(r"在?[^，,。；;：:]{1,20}?(?<!其)中\s*[，,：:]")
COUNT_UNITS = {"件", "项", "个", "家", "封", "次", "人次", "人", "名", "位", "条", "户", "份", "笔", "起"}


@dataclass
class ShareItem:
    label: str
    count: Figure
    share: Figure
    base_phrase: str | None = None  # 占X的: the base the item names


@dataclass
class ShareList:
    items: list[ShareItem]
    start: int
    end: int
    within: Figure | None = None  # the count the sentence names as the base (在…N件…中)
    base_phrase: str | None = None  # the base an item names (占派发工单的)
    sentence_start: int = 0
    notes: list[str] = field(default_factory=list)


CHANGES = ("增长", "增加", "上升", "提升", "提高", "下降", "减少", "降低", "回落", "同比", "环比")


def _is_change(fig: Figure) -> bool:
    return bool(fig.qualifier) and fig.qualifier in CHANGES


def _is_count(fig: Figure) -> bool:
    return (fig.unit or "") in COUNT_UNITS and not _is_change(fig)


def _label(text: str, lo: int, pos: int, printed: str | None = None) -> str:
    """The item's label as printed: what stands between the last separator and its count."""
    seg = text[lo:pos]
    cut = max((m.end() for m in LABEL_CUT.finditer(seg)), default=0)
    label = compact((printed or text)[lo + cut:pos])
    prev = None
    while prev != label:
        prev, label = label, LABEL_NOISE.sub("", label)
    return label


def _sentence_start(text: str, pos: int) -> int:
    return max(text.rfind("。", 0, pos), text.rfind("\n\n", 0, pos), -1) + 1


def find_share_lists(text: str, figures: list[Figure]) -> list[ShareList]:
    """The share lists of `text` (read in simplified characters; offsets and figures are the text's)."""
    printed, text = text, aligned_simplified(text)
    figs = sorted(figures, key=lambda f: f.start)
    items: list[tuple[int, ShareItem]] = []
    for i, fig in enumerate(figs[:-1]):
        nxt = figs[i + 1]
        if not _is_count(fig) or nxt.unit != "%" or nxt.start - fig.end > 24 or _is_change(nxt):
            continue
        m = LINK.fullmatch(text, fig.end, nxt.start)
        if not m:
            continue
        items.append((i, ShareItem("", fig, nxt, (m.group("base") or None) and compact(m.group("base")))))
    lists: list[ShareList] = []
    prev_end, prev_index = None, None
    for i, item in items:
        joined = (lists and prev_end is not None and prev_index == i - 2 and item.count.start - prev_end <= GAP_LIMIT
                  and not LIST_BREAK.search(text, prev_end, item.count.start))
        lo = prev_end if joined else _sentence_start(text, item.count.start)
        item.label = _label(text, lo, item.count.start, printed)
        if joined:
            lists[-1].items.append(item)
            lists[-1].end = item.share.end
        else:
            s0 = _sentence_start(text, item.count.start)
            lists.append(ShareList([item], item.count.start, item.share.end, sentence_start=s0))
        prev_end, prev_index = item.share.end, i
    for sl in lists:
        head = text[sl.sentence_start:sl.start]
        m = None
        for m in WITHIN.finditer(head):
            pass
        if m is not None:
            lo, hi = sl.sentence_start + m.start(), sl.sentence_start + m.end()
            inside = [f for f in figs if lo <= f.start < hi and _is_count(f)]
            if inside:
                sl.within = inside[-1]
            else:
                sl.base_phrase = compact(re.sub(r"^在|中\s*[，,：:]$", "", m.group(0))) or None
        phrases = [it.base_phrase for it in sl.items if it.base_phrase]
        if phrases and not sl.base_phrase:
            sl.base_phrase = phrases[0]
    return lists
