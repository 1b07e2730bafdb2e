"""A rate stated in the narrative ("直接答复率66.7%", "解决率（已解决件数/参评件数）为83.4%") against
the counts it divides. Share lists ("318件，占25.2%") are share_lists.py's.

The part is a count the rate names (按期办结率 → 按期办结, before or after the rate: "按期办结率97.2%
…其中按期办结61987件"), else the count just before it; the base is a count the text names (a printed
formula, "在受理的1264件来信中", "转派工单中，…") or any larger count stated before it. When some pair
makes the rate, it is verified. When none does, severity follows certainty:

- error: the part and the base are bound with certainty — a printed formula, a base the sentence
  names, or a sentence stating exactly the base and then the part the rate names ("满意数 1095 件，
  较满意 1093 件，总体满意度 99.9%");
- warning: the rate names its part but the base had to be assumed; the message says which;
- info: the part is not printed (only its complement: 不满意 212件 for 满意率, 超期办结 for 按期办结率) or
  not named: the message says what a naive reading would give, and that the base is not printed.

Only counts are divided: never a rate, a score or a rank (units decide, tongbao.check.kinds).
"""
from __future__ import annotations

import math
import re

from ..model import Document, Figure, Finding
from ..nlp.pipeline import sentence_bounds
from ..nlp.shares import find_share_lists
from .bindings import counts, figure_location, fmt, names, same_family, simple
from .intervals import ROUNDED, ROUNDED_UP, TRUNCATED, percent_modes, rounded
from .kinds import CHANGE_WORDS, is_rate
from .percentages import MODE_TEXT
from .results import failed, passed, undecided

RATE_WORDS = ("率", "满意度", "占比", "比例", "比重")
FORMULA = re.compile(r"[（(]\s*(?P<a>[^（()）/÷]{2,16}?)\s*[/÷]\s*(?P<b>[^（()）/÷]{2,16}?)\s*[)）]")
GENERIC_PREFIX = re.compile(r"^(?:总体|综合|整体|平均|全市|全区|全县|全月|本月|本季度|本期|当月|群众|企业群众|线上线下|"
                            r"电子评价|二次|办事窗口|窗口|热线|全部)+")
HEAD_IN = re.compile(r"\s*在[^，,。；;：:]{2,30}?中")  # 在受理的1264件来信中
HEAD_OF = re.compile(r"\s*(?P<x>[^，,。；;：:\d\s]{2,14}?)(?<!其)中")  # 转派工单中
CLAUSE_SEP = re.compile(r"[，,；;：:]")
REACH = 400  # characters before the rate's sentence searched for an unnamed base


def _core(name: str) -> str:
    core = re.sub(r"(满意度)$", "满意", name)
    return re.sub(r"(率|度|占比|比例|比重)$", "", core)


def _cores(name: str) -> list[str]:
    core = _core(simple(name))
    out = [core, GENERIC_PREFIX.sub("", core)]
    return [c for c in dict.fromkeys(out) if len(c) >= 2]


def _complements(core: str) -> list[str]:
    out = ["不" + core, "未" + core, "非" + core]
    if core.startswith("按期"):
        out += ["超期" + core[2:], "逾期" + core[2:], "延期" + core[2:]]
    if core.startswith("已"):
        out += ["未" + core[1:], "尚未" + core[1:]]
    return out


def _is_complement(fig: Figure, cores: list[str]) -> bool:
    metric = simple(fig.metric)
    return any(c in metric for core in cores for c in _complements(core))


def _is_named(fig: Figure, cores: list[str]) -> bool:
    metric = simple(fig.metric)
    return any(core in metric for core in cores) and not _is_complement(fig, cores)


def _verdict(part: float, base: float, fig: Figure) -> str:
    modes = percent_modes(part, base, fig.value, fig.decimals or 0)
    for mode in (ROUNDED, TRUNCATED, ROUNDED_UP):
        if mode in modes:
            return mode
    return "inconsistent"


def _share_figures(doc: Document) -> set[str]:
    return {f.figure_id for sl in find_share_lists(doc.text, doc.figures) for it in sl.items for f in (it.count, it.share)}


def check_rates(doc: Document) -> list[Finding]:
    skip = _share_figures(doc)
    stated = counts(doc)
    out = []
    for fig in doc.figures:
        if not is_rate(fig) or fig.figure_id in skip:
            continue
        s0, s1 = sentence_bounds(doc.text, fig.start)
        clause_start = max((m.end() for m in CLAUSE_SEP.finditer(doc.text, s0, fig.start)), default=s0)
        own = simple(doc.text[clause_start:fig.start])  # compact, simplified characters
        if any(w in own for w in CHANGE_WORDS) or not any(w in own for w in RATE_WORDS):
            continue
        result = _check_rate(doc, fig, own, s0, clause_start, stated)
        if result is not None:
            out.append(result)
    return out


def _binding(part: Figure, base: Figure, how: str) -> str:
    return f"分子「{(part.metric or '').strip()}」{part.text}，基数「{(base.metric or '').strip()}」{base.text}：{how}"


def _check_rate(doc: Document, fig: Figure, own: str, s0: int, clause_start: int, stated: list[Figure]) -> Finding | None:
    formula = FORMULA.search(own)
    name = FORMULA.sub("", own)
    name = re.sub(r"(为|达|是|达到|约|了)+$", "", name)
    cores = _cores(name)
    _, next_end = sentence_bounds(doc.text, min(len(doc.text) - 1, sentence_bounds(doc.text, fig.start)[1] + 1))
    window = [c for c in stated if max(0, s0 - REACH) <= c.start < next_end and c is not fig]
    before = [c for c in window if c.end <= fig.start]
    prior = [c for c in stated if c.end <= fig.start]
    # the certain bindings first: a printed formula, then a base the sentence names
    if formula:
        parts = [c for c in window if names(formula["a"], c, loose=True)]
        bases = [c for c in before if names(formula["b"], c, loose=True)]
        pairs = [(p, b) for p in parts for b in bases if p is not b and same_family(p, b) and b.value > 0]
        if pairs:
            return _judge(doc, fig, pairs, certain=True, how=f"正文印出公式（{formula['a']}/{formula['b']}）")
    within: list[Figure] = []
    m = HEAD_IN.match(doc.text, s0, fig.start)
    if m:
        within = [c for c in before if s0 <= c.start < m.end()][-1:]
    else:
        m = HEAD_OF.match(doc.text, s0, fig.start)
        if m:
            within = [c for c in prior if c.start < s0 and names(m["x"], c)][-1:]
    named = [c for c in window if cores and _is_named(c, cores)]
    # named by the rate's whole name (直接答复率 → 直接答复), not only by a generic word left when its
    # qualifiers are stripped (电子评价综合满意率 → 满意, which 非常满意 and 基本满意 hold too)
    full = _core(simple(name))
    strict = [c for c in named if len(full) >= 2 and full in simple(c.metric)]
    adjacent = [c for c in before if c.start >= _previous_clause_start(doc.text, s0, clause_start) and not _is_complement(c, cores)]
    parts = named or adjacent[-1:]
    pairs, seen = [], set()
    for p in parts:
        # the part is its own base only beside the rate ("投诉 1 件，回访率 100%" states all of them)
        for b in within + [c for c in before if c.value >= p.value] + ([p] if _among(p, adjacent) else []):
            if same_family(p, b) and b.value > 0 and (id(p), id(b)) not in seen and (b is p or b.value > p.value):
                seen.add((id(p), id(b)))
                pairs.append((p, b))
    ok = [(p, b) for p, b in pairs if _verdict(p.value, b.value, fig) == ROUNDED]
    if ok:
        p, b = next(((p, b) for p, b in ok if _among(b, within)), ok[0])
        how = "基数为句中所称" if _among(b, within) else ("分子为率所称之数" if _among(p, named) else "分子取前一分句之数")
        return _pass(doc, fig, p, b, how)
    complements = [c for c in window if cores and _is_complement(c, cores)]
    for c in complements:
        for b in within + [x for x in before if x.start >= s0 and x.value > c.value and x is not c]:
            if same_family(c, b) and _verdict(b.value - c.value, b.value, fig) == ROUNDED:
                exact = 100 * (b.value - c.value) / b.value
                arithmetic = f"({b.text} - {c.text}) / {b.text} = {exact:.4f}%"
                return passed(doc.doc_id, "percentage", f"{fig.text}: {arithmetic}，四舍五入相符（以「{c.metric}」{c.text}为其余部分）",
                              rounded(exact, fig.decimals or 0), fig.value, 0.5 * 10 ** -(fig.decimals or 0),
                              [figure_location(c), figure_location(b), figure_location(fig)], arithmetic)
    if not pairs:
        return _unprinted(doc, fig, name, complements, [b for b in before if b.start >= s0])
    certain_pairs = [(p, b) for p, b in pairs if _among(b, within) and _among(p, named)]
    two = _two_count_sentence(doc, fig, s0, clause_start, stated, cores)
    if two:
        certain_pairs.append(two)
    if certain_pairs:
        return _judge(doc, fig, certain_pairs, certain=True, how="基数为句中所称" if within else "句中先列基数、再列率所称之数")
    if strict and len({simple(c.metric) for c in strict}) == 1 and any(_among(p, strict) for p, _ in pairs):
        return _judge(doc, fig, [(p, b) for p, b in pairs if _among(p, strict)], certain=False, how="分子为率所称之数，基数系推定（正文未写明）")
    return _unprinted(doc, fig, name, complements, [b for b in before if b.start >= s0], guess=pairs)


def _among(fig: Figure, figs: list[Figure]) -> bool:
    return any(fig is f for f in figs)


def _previous_clause_start(text: str, s0: int, clause_start: int) -> int:
    """The start of the clause before the rate's own, within its sentence."""
    seps = [m.end() for m in CLAUSE_SEP.finditer(text, s0, max(s0, clause_start - 1))]
    return seps[-1] if seps else s0


def _two_count_sentence(doc: Document, fig: Figure, s0: int, clause_start: int, stated: list[Figure], cores: list[str]):
    """A sentence stating exactly a base and then the part, right before the rate that names one of them."""
    inside = [c for c in stated if s0 <= c.start < fig.start]
    if len(inside) != 2:
        return None
    base, part = inside
    if not same_family(base, part) or base.value < part.value or part.start < _previous_clause_start(doc.text, s0, clause_start):
        return None
    if not (_is_named(part, cores) or _is_named(base, cores)) or _is_complement(part, cores):
        return None
    return part, base


def _pass(doc: Document, fig: Figure, p: Figure, b: Figure, how: str) -> Finding:
    d = fig.decimals or 0
    exact = 100 * p.value / b.value
    arithmetic = f"{p.text} / {b.text} = {exact:.4f}%"
    return passed(doc.doc_id, "percentage", f"{fig.text}: {arithmetic}，四舍五入相符（{_binding(p, b, how)}）", rounded(exact, d), fig.value,
                  0.5 * 10 ** -d, [figure_location(p), figure_location(b), figure_location(fig)], arithmetic)


def _judge(doc: Document, fig: Figure, pairs, certain: bool, how: str) -> Finding:
    """The failure of the pair that comes nearest (every pair failed but formula pairs, checked here)."""
    d = fig.decimals or 0
    ok = [(p, b) for p, b in pairs if _verdict(p.value, b.value, fig) == ROUNDED]
    if ok:
        return _pass(doc, fig, *ok[0], how)
    p, b = min(pairs, key=lambda pb: abs(100 * pb[0].value / pb[1].value - fig.value))
    exact = 100 * p.value / b.value
    arithmetic = f"{p.text} / {b.text} = {exact:.4f}%"
    expected, tol = rounded(exact, d), 0.5 * 10 ** -d
    locs = [figure_location(p), figure_location(b), figure_location(fig)]
    binding = _binding(p, b, how)
    verdict = _verdict(p.value, b.value, fig)
    if verdict in (TRUNCATED, ROUNDED_UP):
        return failed(doc.doc_id, "percentage", f"{fig.text}: {arithmetic}，四舍五入应为 {expected:.{d}f}%，只有按{MODE_TEXT[verdict]}才成立"
                      f"（{binding}）", expected, fig.value, tol, locs, arithmetic, severity="warning")
    trunc = math.floor(exact * 10 ** d + 1e-9) / 10 ** d
    return failed(doc.doc_id, "percentage", f"{fig.text} 与所列数字不符: {arithmetic}，四舍五入为 {expected:.{d}f}%，截尾为 {trunc:.{d}f}%"
                  f"（{binding}）", expected, fig.value, tol, locs, arithmetic, severity="error" if certain else "warning")


def _unprinted(doc: Document, fig: Figure, name: str, complements: list[Figure], before: list[Figure], guess=None) -> Finding | None:
    """The rate's part or base is not printed: say what a naive reading gives, as information."""
    p = fig.value / 100
    notes = []
    for c in complements[:1]:
        if p < 1:
            notes.append(f"若「{(c.metric or '').strip()}」{c.text}为其余部分，基数应约为 {fmt(round(c.value / (1 - p)))}，正文未印出此数")
        bases = [b for b in before if b.value > c.value and same_family(b, c)]
        if bases:
            b = bases[-1]
            notes.append(f"以「{(b.metric or '').strip()}」{b.text}为基数则为 ({b.text} - {c.text}) / {b.text} = "
                         f"{100 * (b.value - c.value) / b.value:.4f}%，与 {fig.text} 不符")
    guess = [(pp, b) for pp, b in guess or [] if pp is not b]
    tried = complements[:1]
    if guess and not notes:
        pp, b = min(guess, key=lambda pb: abs(100 * pb[0].value / pb[1].value - fig.value))
        notes.append(f"以前文 {pp.text} / {b.text} 计为 {100 * pp.value / b.value:.4f}%，但二者均非该率所称")
        tried = [pp, b]
    if not notes:
        return None
    locs = [figure_location(f) for f in tried + [fig]]
    return undecided(doc.doc_id, "percentage", f"{fig.text}（{name}）: 正文未印出其分子或基数，未作核对；" + "；".join(notes),
                     reported=fig.value, locations=locs)
