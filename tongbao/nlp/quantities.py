"""Quantities in narrative text: a numeral (Arabic, full-width or Chinese), an optional 万/亿,
an optional 余/多, a unit; ranges (3-5件), percentages and 百分点; the qualifier, comparison,
period and bound each figure carries, and the entity it speaks of.

Offsets always point into the original document text; nothing is normalized in place.
"""
from __future__ import annotations

import bisect

import re
from dataclasses import dataclass

from ..model import Figure
from ..normalize.numbers import parse_number
from .pipeline import CJK_RE, compact, dept_word_re, sentence_bounds, strip_parens

UNITS = ("个工作日", "个百分点", "百分点", "人次", "万元", "亿元", "工作日", "小时", "件", "项", "个", "次", "家", "封",
         "面", "％", "%", "分", "元", "名", "人", "起", "天", "条", "位", "户", "份", "笔")
UNIT_CANON = {"％": "%", "个百分点": "百分点", "个工作日": "工作日"}
# Measure words after which a counted noun follows directly (六个区, 3家单位): the figure stands.
MEASURE_WORDS = {"个", "家", "名", "位", "人", "项", "件", "面", "封", "条", "户", "份", "笔"}
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_CN = "零〇一二两三四五六七八九十百千万亿"
_AR = r"[0-9０-９]+(?:,[0-9]{3})*(?:[.．][0-9０-９]+)?"
_NUM = rf"(?:{_AR}|[{_CN}]{{1,10}}(?:点[{_CN}]+)?)"
QUANTITY = re.compile(
    rf"(?P<num>{_NUM})(?:\s*(?:[-~～—至到])\s*(?P<num2>{_NUM}))?\s*(?P<mult>[万亿](?!元))?\s*(?P<approx>余|多)?\s*"
    rf"(?:(?P<unit>{_UNIT_ALT})|[(（]\s*(?P<punit>{_UNIT_ALT})\s*[)）])"
)

# Direction words first (the checks read qualifier as the direction of a change), then the kind.
DIRECTIONS = ("增长", "增加", "上升", "提升", "提高", "下降", "减少", "降低", "回落")
COMPARISONS = ("同比", "环比", "比上月", "较上月", "比上季度", "较上季度", "比上年", "较上年", "相比上一季度",
               "相比一季度", "相比")
KINDS = ("累计", "共计", "合计", "总计", "占比", "比例", "平均")
BOUNDS = ("超过", "以上", "以下", "低于", "高于", "不足", "不到", "未达到", "达到")
PERIOD = re.compile(
    r"截[至止](?:目前|\s*\d{1,2}\s*月(?:底|末|\d{1,2}日)?)|(?:今年|年初|\d{4}\s*年)以来"
    r"|(?:\d{4}\s*年\s*)?第?[一二三四1-4]\s*季度|上半年|下半年|本月|本季度"
    r"|(?:\d{4}\s*年\s*)?\d{1,2}\s*(?:[-—~至]\s*\d{1,2}\s*)?月份?(?![\d日号])"
)
_CLAUSE_SEP = re.compile(r"[，,；;：:。、]")
_METRIC_STRIP = re.compile(r"^(其中|共|共计|合计|累计|总计|达|为|是|有|计|约|了|近|从|\s)+|(达|为|是|有|共|计|约|累计|达到|近|从|\s)+$")
_CUE = ("收到", "获得", "共", "计", "达", "为", "有", "少", "多", "扣", "减", "增", "近", "约", "仅", "只", "超过", "获评",
        "发生", "出现", "累计", "选派", "新增", "办理")
_WORD_BEFORE_CN = set("第前后每统唯万之单同划另逐初末周星")
_ENTITY_CUT = set("的在对向从驻过由了是为有和及与因其中将把被让给等经")
_PLACE_ITEM = re.compile(r"([\u4e00-\u9fff]{2,6}?(?:区|县|市))$")


@dataclass
class NarrativeFigure(Figure):
    """A Figure plus what the published table has no column for yet."""

    period: str | None = None  # the period the number refers to, as printed ("截至目前", "二季度")
    comparison: str | None = None  # the base of a change (比上月, 同比 …)
    bound: str | None = None  # 超过 / 以上 / 低于 …: the number is a threshold, not a measurement
    approx: str | None = None  # 余 / 近 / 约: the number is approximate
    value_high: float | None = None  # upper end of a range (3-5件)


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    value: float
    unit: str
    decimals: int | None
    approx: str | None
    value_high: float | None


def _value(num: str) -> tuple[float, int] | None:
    if num[0] in _CN:
        try:
            import cn2an  # imported on first use: it takes a fifth of a second to import

            return float(cn2an.cn2an(num, "smart")), len(num.split("点", 1)[1]) if "点" in num else 0
        except (ValueError, KeyError, IndexError, TypeError):
            return None
    n = parse_number(num)
    return (n.value, n.decimals) if n is not None else None


def _chinese_ok(text: str, m: re.Match, lo: int) -> bool:
    """A Chinese numeral is a quantity unless it is part of a word: 第一, 前五名, 二次回访, 一件事一次办."""
    start, num = m.start(), m.group("num")
    before = text[start - 1] if start > lo else ""
    if before in _WORD_BEFORE_CN:
        return False
    unit = m.group("unit") or m.group("punit")
    after = text[m.end():m.end() + 1]
    if unit == "分":  # 十分, 三分之一
        return False
    ctx = text[max(lo, start - 4):start]
    cue = any(ctx.endswith(c) for c in _CUE)
    if not after or not CJK_RE.match(after) or after in "的以余多左内":
        return True
    if cue:
        return True
    if num == "一":  # 一户一档, 一件事: slogans
        return False
    return unit in MEASURE_WORDS


def _arabic_ok(text: str, m: re.Match, lo: int) -> bool:
    start = m.start()
    before = text[max(lo, start - 1):start]
    if before and (before.isascii() and (before.isalnum() or before in ".") or before in "第前"):
        return False
    if text[max(lo, start - 2):start] in ("排名", "名列") or text[max(lo, start - 3):start].endswith("前 "):
        return False
    unit = m.group("unit") or m.group("punit")
    after = text[m.end():m.end() + 2]
    if unit == "小时" and re.match(r"(自助|服务|不打烊|在线|值守|热线|营业|全天)", after):
        return False  # "24小时自助服务机" names a machine
    return True


_NUMERAL_CHAR = re.compile(rf"[0-9０-９{_CN}]")
_NUMBER_BODY = re.compile(rf"[0-9０-９.．,{_CN}点]")


def numeral_starts(text: str, lo: int, hi: int) -> list[int]:
    """Where a numeral begins in text[lo:hi], without spaCy (a numeral char not preceded by one)."""
    return [m.start() for m in _NUMERAL_CHAR.finditer(text, lo, hi)
            if m.start() == lo or not _NUMBER_BODY.match(text[m.start() - 1])]


def scan(text: str, lo: int, hi: int, starts: list[int] | None = None) -> list[Quantity]:
    """Every quantity in text[lo:hi]; `starts` (from the spaCy Matcher) are where numerals begin."""
    out: list[Quantity] = []
    last_end = lo
    for q in sorted(set(numeral_starts(text, lo, hi) if starts is None else starts)):
        if q < last_end or q >= hi or (q > lo and _NUMBER_BODY.match(text[q - 1])):
            continue
        m = QUANTITY.match(text, q, hi)
        if not m:
            continue
        num = m.group("num")
        ok = _chinese_ok(text, m, lo) if num[0] in _CN else _arabic_ok(text, m, lo)
        if not ok:
            continue
        v = _value(num)
        if v is None:
            continue
        value, decimals = v
        mult = m.group("mult")
        scale = 10 ** (4 if mult == "万" else 8) if mult else 1
        if mult:
            value *= scale
            decimals -= 4 if mult == "万" else 8
        high = None
        if m.group("num2"):
            v2 = _value(m.group("num2"))
            high = v2[0] * scale if v2 else None
        unit = m.group("unit") or m.group("punit")
        out.append(Quantity(m.start(), m.end(), m.group(0), value, UNIT_CANON.get(unit, unit), decimals,
                            m.group("approx"), high))
        last_end = m.end()
    return out


def _first(words, s: str) -> str | None:
    for w in words:
        if w in s:
            return w
    return None


def _clause_before(text: str, s0: int, pos: int) -> str:
    seg = text[s0:pos]
    # a parenthetical holding the number: the clause is what stands before the bracket
    depth_open = max(seg.rfind("（"), seg.rfind("("))
    if depth_open > max(seg.rfind("）"), seg.rfind(")")) and not _CLAUSE_SEP.search(seg[depth_open:]):
        seg = seg[:depth_open]
    seg = strip_parens(seg)
    parts = re.split(r"[，,；;：:。]", seg)
    return parts[-1] if parts else ""


def _own_item(clause: str) -> str:
    """In "行政审批类6676件、便民服务类53131件" (or "…7件以及市住房局7件") a number's metric is its own item."""
    parts = re.split(r"、|以及|及", clause)
    if len(parts) > 1 and re.search(r"[0-9０-９]", "".join(parts[:-1])):
        return parts[-1]
    return clause


def entity_of(text: str, s0: int, pos: int) -> str | None:
    """The unit, list or region a number speaks of: the name just before it in its clause."""
    clause = _clause_before(text, s0, pos)
    c = compact(clause)
    if c.endswith("等") or re.search(r"等$", c):
        items = c[:-1]
        return items or None
    last = re.split(r"[、]", c)[-1]
    last = re.sub(r"(和|及|以及|与)$", "", last)
    hits = list(dept_word_re().finditer(last))
    if hits:
        end = hits[-1].end()
        name = last[:end]
        cut = max((i for i, ch in enumerate(name) if ch in _ENTITY_CUT or not CJK_RE.match(ch)), default=-1)
        name = name[cut + 1:]
        # 和/及 joining a whole list stays; cut only a leading verb
        return name if len(name) >= 2 else None
    m = _PLACE_ITEM.search(last)
    if m and len(last) <= 6:
        return m.group(1)
    return None


def period_of(sentence: str) -> str | None:
    m = None
    for m in PERIOD.finditer(sentence):
        pass
    return m.group(0) if m else None


def _entity(text: str, s0: int, pos: int, departments: list[tuple[int, int]]) -> str | None:
    """The name a number speaks of: the rule-based reading, or the registry's name when the rules found none
    or a name that does not contain it."""
    by_rule = entity_of(text, s0, pos)
    by_registry = _registry_entity(text, s0, pos, departments)
    if by_registry and (not by_rule or by_registry not in by_rule):
        return by_registry
    return by_rule


def _registry_entity(text: str, s0: int, pos: int, departments: list[tuple[int, int]]) -> str | None:
    """The last registry name in the number's clause, with a 市/区/县 written just before it."""
    clause_start = pos - len(_clause_before(text, s0, pos))
    # departments are sorted by start: bisect to the names starting inside the clause (a linear scan
    # per number made a long text's figures quadratic)
    lo = bisect.bisect_left(departments, (clause_start, -1))
    hi = bisect.bisect_right(departments, (pos, pos))
    inside = [(a, b) for a, b in departments[lo:hi] if b <= pos]
    if not inside:
        return None
    a, b = inside[-1]
    if a > clause_start and text[a - 1] in "市区县省":
        a -= 1
    return text[a:b]


def figures_from(text: str, doc_id: str, quantities: list[tuple[Quantity, int, int]], start_index: int = 1,
                 departments: list[tuple[int, int]] | None = None) -> list[NarrativeFigure]:
    """Figures from quantities, each with (quantity, range lo, range hi)."""
    figs: list[NarrativeFigure] = []
    spans = sorted(departments or [])
    for q, lo, hi in quantities:
        s0, s1 = sentence_bounds(text, q.start, lo, hi)
        clause = _clause_before(text, s0, q.start)
        after = text[q.end:q.end + 3]
        qualifier = _first(DIRECTIONS, clause) or _first(KINDS, clause)
        comparison = _first(COMPARISONS, clause)
        if qualifier is None and comparison:
            qualifier = comparison
        bound = _first(BOUNDS, clause[-4:] + after)
        approx = q.approx or _first(("近", "约"), clause[-2:]) or ("左右" if after.startswith("左右") else None)
        metric = _METRIC_STRIP.sub("", compact(_own_item(clause))).strip() or None
        period = period_of(text[s0:q.start])
        figs.append(NarrativeFigure(
            figure_id=f"{doc_id[:12]}-f{start_index + len(figs)}", doc_id=doc_id, start=q.start, end=q.end,
            sentence=text[s0:s1], text=q.text, value=q.value, unit=q.unit, metric=metric, qualifier=qualifier,
            entity_raw=_entity(text, s0, q.start, spans), decimals=q.decimals, period=period, comparison=comparison,
            bound=bound, approx=approx, value_high=q.value_high,
        ))
    return figs
