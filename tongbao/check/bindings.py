"""Helpers the narrative checks share to bind a stated number to the numbers it is computed from.

A binding is *certain* when the text names it (the base and the part are named, a formula is
printed, "在受理的1264件来信中"), *inferred* when the check chose it (by consensus, by proximity),
and missing when the text does not print it. Severity follows: error, warning, info.
"""
from __future__ import annotations

import re

from ..model import Document, Figure
from ..normalize.script import to_simplified
from .kinds import count_family, is_count

CERTAIN, INFERRED = "certain", "inferred"
_MEASURE = re.compile(r"(件数|人数|人次|户数|条数|次数|个数|总量|总数|数量|件|数|量)$")
_GENERIC = re.compile(r"^(在|的|全部|总|共|累计|本月|本季度|本期|当月|全月|全市|群众|企业群众)+|(的)$")


def figure_location(fig: Figure) -> dict:
    return {"figure_id": fig.figure_id, "start": fig.start, "end": fig.end, "text": fig.text, "page": fig.page}


def simple(s: str | None) -> str:
    """Compact, simplified characters: how metrics and phrases are compared."""
    return re.sub(r"\s+", "", to_simplified(s or "") or "")


def term_core(term: str) -> str:
    """"来信总量" → "来信", "已解决件数" → "已解决": what a named base or a formula term counts."""
    core = simple(term)
    prev = None
    while prev != core:
        prev = core
        core = _MEASURE.sub("", _GENERIC.sub("", core))
    return core


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def names(term: str, fig: Figure, loose: bool = False) -> bool:
    """The figure's metric (or the sentence text just before it) holds the term's core. `loose` lets the
    core's characters stand apart (参评 in 参与满意度评价的来信), for formula terms only."""
    core = term_core(term)
    metric = simple(fig.metric)
    if len(core) < 2 or not metric:
        return False
    return core in metric or (loose and _subsequence(core, metric) and metric.find(core[0]) >= 0)


def counts(doc: Document) -> list[Figure]:
    return sorted((f for f in doc.figures if is_count(f)), key=lambda f: f.start)


def same_family(a: Figure, b: Figure) -> bool:
    return count_family(a) is not None and count_family(a) == count_family(b)


def fmt(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")
