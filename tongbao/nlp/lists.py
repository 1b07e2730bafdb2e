"""Lists the narrative announces with a count: "共有7个单位按期办结率达到100%，分别是：A、B、…" and
ranked lists "排名前十位的单位依次为：A、B、…".

The items are split at 、，; a name may hold 和 / 及 (市人力资源和社会保障局), so an item that holds one may
also be two items run together: `max_items` says how many the list could hold at most. A list that
ends with 等 is open (not every member is named).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..normalize.numbers import parse_number
from ..normalize.script import aligned_simplified
from .pipeline import compact, strip_parens
from .rankings import find_rankings

_N = r"[0-9０-９一二两三四五六七八九十百]+"
ANNOUNCED = re.compile(rf"(?:共有|共计|共|有)\s*(?P<n>{_N})\s*(?P<unit>个|家|名|位|项|人|户|条|所)(?P<what>[^。：:；;\n]{{0,40}}?)"
                       r"[，,]?\s*(?:分别|依次|具体)?(?:是|为|有|包括)\s*[:：]")
ITEM_SEP = re.compile(r"[、，,]")
LIST_END = re.compile(r"[。；;]|\n\s*\n(?=\S)(?!分别)")
JOINERS = re.compile(r"和|及|与")


@dataclass
class AnnouncedList:
    start: int  # the announcement
    end: int  # the end of the list
    n: int  # the count it states
    count_text: str
    items: list[str]
    preamble: str
    kind: str  # "ranking" / "count"
    open: bool  # ends with 等: not every member named
    max_items: int  # items if every 和 / 及 / 与 joined two

    @property
    def closed(self) -> bool:
        return not self.open


def _items(segment: str) -> tuple[list[str], bool]:
    seg = strip_parens(re.sub(r"\s+", "", segment))  # "市公安局（含出入境、治安）" is one item
    items = [compact(x) for x in ITEM_SEP.split(seg)]
    items = [x for x in items if x]
    is_open = bool(items) and (items[-1].endswith("等") or bool(re.search(r"等[\u4e00-\u9fff]{0,6}$", items[-1])))
    if is_open:
        items[-1] = re.sub(r"等[\u4e00-\u9fff]{0,6}$", "", items[-1])
        items = [x for x in items if x]
    return items, is_open


def find_announced_lists(text: str) -> list[AnnouncedList]:
    """Every list the text announces with a count, ranked lists first; offsets are the text's."""
    plain = aligned_simplified(text)
    out = []
    for r in find_rankings(plain, [(0, len(plain))]):
        items, is_open = _items(_segment(plain, r.start, r.end))
        out.append(AnnouncedList(r.start, r.end, r.n, _count_text(plain, r.start), items, r.preamble, "ranking", is_open,
                                 len(items) + sum(len(JOINERS.findall(x)) for x in items)))
    for m in ANNOUNCED.finditer(plain):
        num = parse_number(m.group("n"))
        if num is None:
            continue
        end = LIST_END.search(plain, m.end())
        stop = end.start() if end else len(plain)
        items, is_open = _items(plain[m.end():stop])
        if not items:
            continue
        s0 = max(plain.rfind("。", 0, m.start()), plain.rfind("\n", 0, m.start())) + 1
        out.append(AnnouncedList(m.start(), stop, int(num.value), m.group("n") + m.group("unit"), items,
                                 plain[s0:m.end()].strip(), "count", is_open,
                                 len(items) + sum(len(JOINERS.findall(x)) for x in items)))
    return out


def _segment(text: str, start: int, end: int) -> str:
    colons = [i for i in (text.find("：", start, end), text.find(":", start, end)) if i >= 0]
    return text[min(colons) + 1:end] if colons else text[start:end]


def _count_text(text: str, start: int) -> str:
    m = re.search(rf"前\s*({_N})\s*(名|位)", text[start:start + 20])
    return (m.group(1) + m.group(2)) if m else ""
