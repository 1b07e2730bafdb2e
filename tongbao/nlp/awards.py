"""Awards stated in the narrative: titles granted to units and staff (授予…“示范窗口”称号, a
heading “红旗窗口” followed by a list, 服务之星 lists of 姓名（单位）) and banners received (锦旗).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .pipeline import (compact, dept_word_re, dept_words, ends_with_dept_word, lines_of, region_prefix,
                       sentence_bounds, strip_parens)
from .quantities import PERIOD

_Q_OPEN, _Q_CLOSE = "“\"「『", "”\"」』"
GRANT = re.compile(r"授予(?P<who>[^“\"「『。；]*?)[“\"「『](?P<title>[^”\"」』]{2,12})[”\"」』]\s*(?:荣誉)?称号")
BANNER = re.compile(r"锦\s*旗\s*(?:[一二两三四五六七八九十0-9]+\s*面)?")
TITLE_WORDS = ("窗口", "之星", "标兵", "能手", "先进", "模范", "岗", "集体", "个人", "班组", "团队")
_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
_ITEM_SEP = re.compile(r"[、，,；;]|(?:以及|和|及|与)(?=[市区县])|(?<=[局委办队心司团院馆所处站关会])(?:以及|和|及|与)")


@dataclass
class Award:
    award_id: str
    doc_id: str
    start: int
    end: int
    sentence: str
    title: str
    recipient: str
    recipient_kind: str  # "unit" | "person"
    department: str | None = None
    period: str | None = None
    page: int | None = None


def split_items(s: str) -> list[str]:
    """Split a list at 、，; and at 和/及 after a department word, never inside brackets."""
    items, buf, depth, i = [], [], 0, 0
    while i < len(s):
        ch = s[i]
        if ch in "（(":
            depth += 1
        elif ch in "）)" and depth:
            depth -= 1
        if depth == 0:
            m = _ITEM_SEP.match(s, i)
            if m and (ch in "、，,；;" or i > 0):
                items.append("".join(buf))
                buf = []
                i = m.end()
                continue
        buf.append(ch)
        i += 1
    items.append("".join(buf))
    return [x.strip() for x in items if x.strip()]


def _is_name(s: str) -> bool:
    from .mentions import is_person_name

    return is_person_name(s)


def split_unit_person(item: str) -> tuple[str | None, str | None]:
    """("市交运集团", "张烟霞") from "市交运集团张烟霞"; (unit, None) when the item is a unit."""
    item = compact(item)
    bare = strip_parens(item)
    hits = list(dept_word_re().finditer(bare))
    for h in reversed(hits):
        rest = bare[h.end():]
        if _NAME.match(rest) and _is_name(rest):
            return bare[:h.end()], rest
        if not rest:
            return item, None
    if _NAME.match(bare) and not hits and len(bare) <= 3 and _is_name(bare):
        return None, bare
    return item, None


LIST_CONNECTORS = re.compile(r"^(?:以及|及|和|与|还有)")


def units_only(name: str | None) -> str | None:
    """The units of a name list with the people written after them left out:
    "以及市人社局余卫强、市商务局吴露萍" → "市人社局、市商务局". A figure speaks of units, and only
    unit names go to the department matcher."""
    if not name:
        return name
    units = []
    for item in re.split(r"[、，,]", LIST_CONNECTORS.sub("", compact(name))):
        unit, _person = split_unit_person(LIST_CONNECTORS.sub("", item)) if item else (None, None)
        if unit:
            units.append(unit)
    return "、".join(units) or None


class _Carry:
    """The region prefix of the list's last prefixed item, given to items written without one (市X局、Y局)."""

    def __init__(self):
        self.prefix = ""

    def __call__(self, name: str) -> str:
        p = region_prefix(name)
        if p:
            self.prefix = p if p in "市区县" else ""
            return name
        if self.prefix and strip_parens(name).endswith(dept_words()):
            return self.prefix + name
        return name


def _strip_window(name: str) -> str:
    return re.sub(r"(窗口|综合窗口|服务窗口)(工作人员)?$", "", name)


def _grants(text, doc_id, lo, hi, out):
    for m in GRANT.finditer(text, lo, hi):
        s0, s1 = sentence_bounds(text, m.start(), lo, hi)
        title = compact(m.group("title"))
        who = compact(m.group("who"))
        persons = who.endswith("同志") or "同志" in who
        who = re.sub(r"(等)?(同志|单位|窗口)?$", "", who)
        period = None
        line0 = text.rfind("\n", lo, s0) + 1
        for pm in PERIOD.finditer(text, max(lo, line0), m.start()):
            period = pm.group(0)
        if not who:  # 特别授予“文明窗口”称号: the sentence's subject
            d = dept_word_re().search(compact(text[s0:m.start()]))
            if d:
                subj = compact(text[s0:m.start()])[:d.end()]
                subj = _strip_window(subj)
                out.append(Award("", doc_id, m.start(), m.end(), text[s0:s1], title, subj, "unit", None, period))
            continue
        carry = _Carry()
        for item in split_items(who):
            unit, person = split_unit_person(item)
            if person:
                dept = carry(unit) if unit else carry.prefix and None
                out.append(Award("", doc_id, m.start(), m.end(), text[s0:s1], title, person, "person", dept, period))
            elif unit:
                out.append(Award("", doc_id, m.start(), m.end(), text[s0:s1], title, carry(_strip_window(unit)),
                                 "unit", None, period))
        _ = persons


_HEADING = re.compile(r"[“\"「『](?P<title>[^”\"」』]{2,12})[”\"」』]")


def _heading_lists(text, doc_id, lo, hi, out):
    """A heading line naming a title (no 授予) followed by a list paragraph of units or persons."""
    lines = list(lines_of(text, lo, hi))
    for k, (a, b) in enumerate(lines[:-1]):
        line = text[a:b]
        if "授予" in line or len(compact(line)) > 40 or "锦旗" in line:
            continue
        hm = None
        for m in _HEADING.finditer(line):
            if m.group("title").endswith(TITLE_WORDS):
                hm = m
        if hm is None:
            continue
        title = compact(hm.group("title"))
        pm = PERIOD.search(line)
        period = pm.group(0) if pm else None
        c, d = lines[k + 1]
        body = text[c:d].strip()
        body_c = compact(body).rstrip("。；;")
        if not body_c or "“" in body_c or len(body_c) < 4:
            continue
        pairs = person_pairs(body_c)
        if pairs:
            for person, dept in pairs:
                out.append(Award("", doc_id, c, d, body, title, person, "person", dept, period))
            continue
        items = split_items(body_c)
        if len(items) >= 2 and all(ends_with_dept_word(x) or region_prefix(x) for x in items):
            carry = _Carry()
            for it in items:
                out.append(Award("", doc_id, c, d, body, title, carry(_strip_window(it)), "unit", None, period))


_PAIR = re.compile(r"(?P<names>[^（()）]+?)[（(](?P<dept>[^（()）]+)[)）]")


def person_pairs(body: str) -> list[tuple[str, str]]:
    """[(person, department)] from "陈雅玲、杨海霞（厦门市市场监督管理局），倪艳云（厦门市民政局）":
    the names before each parenthetical are people of that department. [] unless the whole text is
    such a list (every name a person's, every parenthetical a department's)."""
    out = []
    pos = 0
    for m in _PAIR.finditer(body):
        if body[pos:m.start()].strip("，,、；; "):
            return []
        names = [n for n in re.split(r"[、，,；;\s]+", m.group("names")) if n]
        if not names or not all(_NAME.match(n) for n in names) or not ends_with_dept_word(m.group("dept")):
            return []
        out.extend((n, m.group("dept")) for n in names)
        pos = m.end()
    if body[pos:].strip("，,、；;。 "):
        return []
    return out


def _banners(text, doc_id, lo, hi, out):
    last_recipient, last_line = None, None
    for m in BANNER.finditer(text, lo, hi):
        s0, s1 = sentence_bounds(text, m.start(), lo, hi)
        rcv = text.rfind("收到", s0, m.start())
        if rcv < 0:
            continue
        head = text[s0:rcv]
        parts = re.split(r"[，,；;。]", head)
        subj = compact(parts[-1]) if parts else ""
        subj = re.sub(r"^[一二三四五六七八九十]+、", "", subj)
        subj = _strip_window(subj)
        line_start = text.rfind("\n", lo, s0) + 1
        para = line_start
        # the paragraph may have been wrapped: go back to the enumerator line
        while para > lo and not re.match(r"\s*(?:[一二三四五六七八九十]+、|$)", text[para:para + 6]):
            para = text.rfind("\n", lo, para - 1) + 1
        if subj and (dept_word_re().search(subj) or region_prefix(subj)):
            recipient = subj
        else:
            recipient = last_recipient if last_line == para else None
        if not recipient:
            continue
        pm = PERIOD.search(text, para, rcv)
        period = pm.group(0) if pm else None
        out.append(Award("", doc_id, m.start(), m.end(), text[s0:s1], "锦旗", recipient, "unit", None, period))
        last_recipient, last_line = recipient, para


def find_awards(text: str, doc_id: str, ranges: list[tuple[int, int]]) -> list[Award]:
    out: list[Award] = []
    for lo, hi in ranges:
        _grants(text, doc_id, lo, hi, out)
        _heading_lists(text, doc_id, lo, hi, out)
        _banners(text, doc_id, lo, hi, out)
    out.sort(key=lambda a: a.start)
    for i, a in enumerate(out, 1):
        a.award_id = f"{doc_id[:12]}-a{i}"
    return out
