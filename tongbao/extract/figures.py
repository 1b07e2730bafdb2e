"""Numbers stated in the narrative, with their unit, sentence, metric, qualifier and entity.

A first, rule-based version: every Arabic or Chinese number followed by a unit, outside tables.
Offsets always point into the document text, so a figure can be shown where it was printed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Figure
from ..normalize.numbers import CN_DIGITS, parse_number

UNITS = ("人次", "万元", "亿元", "个百分点", "百分点", "件", "项", "个", "次", "家", "封", "面", "%", "％", "分", "元", "名", "人", "起", "小时", "天", "个工作日")
_UNIT_ALT = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
NUMBER_UNIT = re.compile(
    rf"(?<![\d.A-Za-z])(?P<num>[0-9０-９]+(?:[,，][0-9]{{3}})*(?:[.．][0-9０-９]+)?|[{CN_DIGITS}]{{1,8}})\s*(?P<unit>{_UNIT_ALT})"
)
SENTENCE_END = re.compile(r"[。！？!?；;\n]")
CLAUSE_SEP = re.compile(r"[，,、：:（）()]")
QUALIFIERS = ("同比", "环比", "比上月", "较上月", "比上季度", "较上季度", "增长", "下降", "减少", "提升", "提高", "回落", "累计", "占比", "比例", "平均")
ENTITY = re.compile(r"((?:[\u4e00-\u9fff]{0,6}?(?:市|区|县))?[\u4e00-\u9fff]{1,14}?(?:局|委员会|委|办公室|办|中心|院|公司|支队|大队|处|所|站|馆|集团|银行|分行|分局))")
METRIC_STRIP = re.compile(r"^(其中|共|共计|合计|累计|总计|达|为|是|有|计|约|了|，|、|：)+|(达|为|是|有|共|计|约|累计|达到)+$")


@dataclass
class Span:
    start: int
    end: int


def sentence_span(text: str, pos: int) -> Span:
    """The sentence holding position pos: from the previous 。/；/newline to the next."""
    start = pos
    while start > 0 and not SENTENCE_END.match(text[start - 1]):
        start -= 1
    end = pos
    while end < len(text) and not SENTENCE_END.match(text[end]):
        end += 1
    return Span(start, min(len(text), end + 1))


def clause_before(text: str, sent_start: int, pos: int) -> str:
    """The words between the last clause separator and the number: what the number measures."""
    seg = text[sent_start:pos]
    parts = CLAUSE_SEP.split(seg)
    return parts[-1].strip() if parts else ""


def _qualifier(clause: str) -> str | None:
    for q in QUALIFIERS:
        if q in clause:
            return q
    return None


def _unit(u: str) -> str:
    return {"％": "%", "个百分点": "百分点"}.get(u, u)


def _standalone_cn(text: str, m: re.Match) -> bool:
    """A Chinese numeral is a count only when its unit ends the word: "锦旗一面。" yes, "二次回访率" no."""
    after = text[m.end():m.end() + 1]
    return not after or not re.match(r"[\u4e00-\u9fff]", after) or after in "的"


def find_figures(text: str, doc_id: str, regions: list[tuple[int, int]]) -> list[Figure]:
    """Every number with a unit in `regions` (character ranges of narrative text)."""
    figures: list[Figure] = []
    for lo, hi in regions:
        for m in NUMBER_UNIT.finditer(text, lo, hi):
            num_text = m.group("num")
            if not num_text[0].isdigit() and not _standalone_cn(text, m):
                continue
            num = parse_number(num_text.replace("，", ","))
            if num is None:
                continue
            sent = sentence_span(text, m.start())
            clause = clause_before(text, sent.start, m.start())
            metric = METRIC_STRIP.sub("", clause).strip() or None
            ent = ENTITY.search(text[sent.start:m.start()])
            fig = Figure(
                figure_id=f"{doc_id[:12]}-f{len(figures) + 1}", doc_id=doc_id, start=m.start(), end=m.end(),
                sentence=text[sent.start:sent.end].strip(), text=m.group(0), value=num.value, unit=_unit(m.group("unit")),
                metric=metric, qualifier=_qualifier(clause + text[m.end():m.end() + 2]),
                entity_raw=ent.group(1) if ent else None, decimals=num.decimals,
            )
            figures.append(fig)
    return figures
