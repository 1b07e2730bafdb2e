"""Periods a bulletin's text names: months (2023年6月, 五月份, 11 月份) and quarters (第三季度, 二季度).

Only mentions that say which period is reported count: a date (8月31日), a deadline (4月底前), a
comparison (较7月, 相比一季度), a range or its end (1-8月, 截至8月) and a period reckoned from (年初以来)
are left out. A mention is a *topic* when it opens a sentence or is followed by a comma
("2023年6月，市12345热线共受理…", "三季度，全市…") or heads a line (a table's title).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..normalize.script import aligned_simplified

_CN_MONTH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}
_CN_Q = {"一": 1, "二": 2, "三": 3, "四": 4}
MONTH = re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])\s*月(?P<fen>份)?")
QUARTER = re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?:第\s*)?(?P<q>[一二三四1-4])\s*季度")
_NOT_AFTER = re.compile(r"\s*(?:\d{1,2}\s*[日号]|[底末初中]|上旬|中旬|下旬|前|以来|起|至|到|[-—~～])")
_NOT_BEFORE = re.compile(r"(?:较|比|环比|同比|相比|对比|与|上|去年|前|截至|截止|至|到|[-—~～]|第|每|近|自|从)\s*$")
_DIGIT_BEFORE = re.compile(r"[0-9０-９.．]$")


@dataclass
class PeriodMention:
    start: int
    end: int
    kind: str  # "month" / "quarter"
    value: int  # 1-12 or 1-4
    year: int | None
    topic: bool
    text: str

    def label(self, year: int | None = None) -> str:
        y = self.year or year
        if self.kind == "month":
            return f"{y}-{self.value:02d}" if y else f"{self.value:02d}月"
        return f"{y}-Q{self.value}" if y else f"Q{self.value}"


def _month(token: str) -> int | None:
    value = int(token) if token.isdigit() else _CN_MONTH.get(token)
    return value if value and 1 <= value <= 12 else None


def _topic(text: str, start: int, end: int) -> bool:
    j = start - 1
    while j >= 0 and text[j] in " \t\u3000":
        j -= 1
    opens = j < 0 or text[j] in "。；;！？!?\n"
    follows = bool(re.match(r"\s*[，,]", text[end:end + 2]))
    return opens or follows


def period_mentions(text: str, lo: int = 0, hi: int | None = None) -> list[PeriodMention]:
    """The reporting-period mentions of text[lo:hi] (simplified characters are read; offsets are the text's)."""
    plain = aligned_simplified(text)
    hi = len(plain) if hi is None else hi
    out = []
    for kind, pattern in (("month", MONTH), ("quarter", QUARTER)):
        for m in pattern.finditer(plain, lo, hi):
            before = plain[max(0, m.start() - 4):m.start()]
            if _DIGIT_BEFORE.search(before) or _NOT_BEFORE.search(before) or _NOT_AFTER.match(plain, m.end()):
                continue
            if kind == "month":
                value = _month(m.group("m"))
                if value is None or (m.group("m")[0] in "一二三四五六七八九十" and not m.group("fen") and not m.group("y")
                                     and plain[m.end():m.end() + 1] in ("一", "次", "的")):
                    continue
            else:
                value = int(m.group("q")) if m.group("q").isdigit() else _CN_Q[m.group("q")]
            out.append(PeriodMention(m.start(), m.end(), kind, value, int(m.group("y")) if m.group("y") else None,
                                     _topic(plain, m.start(), m.end()), text[m.start():m.end()]))
    return sorted(out, key=lambda p: p.start)


def title_period(title: str | None) -> PeriodMention | None:
    """The one period a title names (none when it names none, several, or a range)."""
    found = period_mentions(title or "")
    kinds = {(p.kind, p.value, p.year) for p in found}
    return found[0] if len(kinds) == 1 else None
