"""Ranked lists stated in the narrative: "考核前五名的派驻部门窗口依次是：A、B、C"."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..normalize.numbers import parse_number
from .pipeline import compact, strip_parens

RANKING = re.compile(r"(?:前|排名前)\s*(?P<n>[0-9一二三四五六七八九十]+)\s*(?:名|位)[^。：:；\n]{0,30}?"
                     r"(?:依次|分别|依序)?(?:是|为)\s*[:：]")
ITEM_SEP = re.compile(r"[、，,]")
LIST_END = re.compile(r"[。；;]")


@dataclass
class Ranking:
    start: int
    end: int
    n: int
    items: list[str]
    preamble: str


def find_rankings(text: str, ranges: list[tuple[int, int]]) -> list[Ranking]:
    out = []
    for lo, hi in ranges:
        for m in RANKING.finditer(text, lo, hi):
            end = LIST_END.search(text, m.end(), hi)
            stop = end.start() if end else hi
            # parentheses first: "市公安局（含出入境、治安支队）" is one item
            items = [compact(x) for x in ITEM_SEP.split(strip_parens(text[m.end():stop]))]
            items = [x for x in items if x]
            num = parse_number(m.group("n"))
            if not items or num is None:
                continue
            s0 = max(text.rfind("。", lo, m.start()), text.rfind("\n", lo, m.start()), text.rfind("：", lo, m.start()),
                      lo - 1) + 1
            out.append(Ranking(m.start(), stop, int(num.value), items, text[s0:m.end()].strip()))
    return out
