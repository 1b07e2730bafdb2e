"""Percentages against their count and total, telling apart rounding, truncation, rounding up,
rows adjusted to sum to 100 %, and real inconsistencies (the GRIM test's question)."""
from __future__ import annotations

import math

from ..model import Cell, Column, Document, Figure, Finding, Table
from .intervals import ROUNDED, ROUNDED_UP, TRUNCATED, percent_modes, rounded
from .results import failed, passed
from .tableview import cell_at, is_percent_column, label_of, location, total_column, value_columns

SHARE_WORDS = ("占比", "比例", "率", "满意度", "占")
CHANGE_WORDS = ("增长", "下降", "减少", "提升", "提高", "回落", "同比", "环比", "比上", "较上", "相比")
COUNT_UNITS = ("件", "项", "次", "人次", "个", "家", "人", "名", "封")
MODE_TEXT = {ROUNDED: "四舍五入", TRUNCATED: "截尾（舍去）", ROUNDED_UP: "进位（向上取整）"}


def _count_column(table: Table, pct: Column) -> Column | None:
    """The count a % column divides: its nearest left sibling under the same parent that is not a %."""
    for col in reversed(table.columns[: pct.index]):
        if col.path[:-1] == pct.path[:-1] and not is_percent_column(table, col) and col.index >= table.label_cols:
            return col
    return None


def _verdict(modes: set[str]) -> str:
    if ROUNDED in modes:
        return ROUNDED
    if TRUNCATED in modes:
        return TRUNCATED
    if ROUNDED_UP in modes:
        return ROUNDED_UP
    return "inconsistent"


def check_table_percentages(table: Table) -> list[Finding]:
    total = total_column(table)
    pairs = [(p, c) for p in value_columns(table) if is_percent_column(table, p) and (c := _count_column(table, p))]
    if not pairs or total is None:
        return []
    out = []
    for r in range(table.n_rows):
        tcell = cell_at(table, r, total.index)
        if tcell is None or not tcell.value:
            continue
        cells: list[tuple[Cell, Cell, str]] = []
        for pcol, ccol in pairs:
            pc, cc = cell_at(table, r, pcol.index), cell_at(table, r, ccol.index)
            if pc is None or cc is None or pc.value is None or cc.value is None:
                continue
            cells.append((pc, cc, _verdict(percent_modes(cc.value, tcell.value, pc.value, pc.decimals or 0))))
        if not cells:
            continue
        out.extend(_row_percent_findings(table, tcell, cells))
    return out


def _row_percent_findings(table: Table, tcell: Cell, cells) -> list[Finding]:
    doc_id = table.doc_id
    label = tcell.row_label
    off = [(pc, cc, v) for pc, cc, v in cells if v != ROUNDED]
    locs = [location(table, tcell)] + [location(table, x) for pc, cc, _ in cells for x in (cc, pc)]
    if not off:
        return [passed(doc_id, "percentage", f"「{label}」行的百分比均为评价数/{label_of_total(table)}四舍五入所得", locations=locs)]
    decimals = max(pc.decimals or 0 for pc, _, _ in cells)
    printed_sum = sum(pc.value for pc, _, _ in cells)
    rounded_sum = sum(rounded(100 * cc.value / tcell.value, decimals) for _, cc, _ in cells)
    unit = 10 ** -decimals
    if math.isclose(printed_sum, 100.0, abs_tol=unit / 10) and all(abs(pc.value - rounded(100 * cc.value / tcell.value, decimals)) <= unit + 1e-9 for pc, cc, _ in off):
        detail = "；".join(f"{pc.header_path} 应为 {100 * cc.value / tcell.value:.4f}%，印为 {pc.text}" for pc, cc, _ in off)
        return [failed(doc_id, "percentage", f"「{label}」行的百分比经过调整使合计为 100%（四舍五入之和为 {rounded_sum:.{decimals}f}%）：{detail}",
                       expected=rounded_sum, reported=printed_sum, tolerance=unit / 2, locations=locs,
                       arithmetic=detail, severity="warning")]
    out = []
    for pc, cc, verdict in off:
        exact = 100 * cc.value / tcell.value
        arithmetic = f"{cc.text} / {tcell.text} = {exact:.4f}%"
        ploc = [location(table, cc), location(table, tcell), location(table, pc)]
        if verdict == "inconsistent":
            out.append(failed(doc_id, "percentage", f"「{label}」{pc.header_path}: {arithmetic}，印为 {pc.text}，四舍五入、截尾或进位都得不到",
                              expected=rounded(exact, pc.decimals or 0), reported=pc.value, tolerance=0.5 * 10 ** -(pc.decimals or 0),
                              locations=ploc, arithmetic=arithmetic))
        else:
            out.append(failed(doc_id, "percentage", f"「{label}」{pc.header_path}: {arithmetic}，印为 {pc.text}，只有按{MODE_TEXT[verdict]}才成立",
                              expected=rounded(exact, pc.decimals or 0), reported=pc.value, tolerance=0.5 * 10 ** -(pc.decimals or 0),
                              locations=ploc, arithmetic=arithmetic, severity="warning"))
    return out


def label_of_total(table: Table) -> str:
    t = total_column(table)
    return label_of(t) if t else "合计"


def _clauses(sentence_text: str, start: int) -> list[tuple[int, int]]:
    """Character ranges (document offsets) of the clauses of a sentence, split at ，；：."""
    out, lo = [], start
    for i, ch in enumerate(sentence_text):
        if ch in "，,；;：:":
            out.append((lo, start + i))
            lo = start + i + 1
    out.append((lo, start + len(sentence_text)))
    return out


def _paragraph_start(text: str, pos: int) -> int:
    i = text.rfind("\n", 0, pos)
    return i + 1


def check_narrative_percentages(doc: Document) -> list[Finding]:
    """A stated rate against the counts stated just before it (numerator) and the total of its paragraph."""
    out = []
    counts = [f for f in doc.figures if f.unit in COUNT_UNITS]
    for fig in doc.figures:
        if fig.unit != "%" or fig.qualifier in CHANGE_WORDS:
            continue
        sent_start = doc.text.find(fig.sentence, max(0, fig.start - len(fig.sentence) - 5))
        if sent_start < 0:
            continue
        clauses = _clauses(fig.sentence, sent_start)
        idx = next((i for i, (a, b) in enumerate(clauses) if a <= fig.start < b + 1), None)
        if idx is None:
            continue
        own = doc.text[clauses[idx][0]:fig.start]
        if any(w in own for w in CHANGE_WORDS) or not any(w in own for w in SHARE_WORDS):
            continue
        numerator = _count_in(counts, *clauses[idx]) or (
            _count_in(counts, *clauses[idx - 1]) if idx > 0 and not _has_percent(doc.figures, *clauses[idx - 1]) else None)
        if numerator is None:
            continue
        para = _paragraph_start(doc.text, fig.start)
        # the numerator itself is a candidate base: "投诉 1 件，回访率 100%" states all of them
        denominators = [d for d in [numerator] + [f for f in counts if para <= f.start < numerator.start
                                                  and f.value > numerator.value] if d.value > 0]  # a rate of nothing says nothing
        if not denominators:
            continue
        verdicts = [_narrative_verdict(doc.doc_id, fig, numerator, d) for d in denominators]
        ok = [v for v in verdicts if v.severity == "pass"]
        if ok:
            out.append(ok[-1])
        elif len(denominators) > 1:
            out.append(verdicts[max(range(1, len(denominators)), key=lambda i: denominators[i].value)])
    return out


def _count_in(counts: list[Figure], lo: int, hi: int) -> Figure | None:
    inside = [f for f in counts if lo <= f.start < hi]
    return inside[-1] if inside else None


def _has_percent(figures: list[Figure], lo: int, hi: int) -> bool:
    return any(f.unit == "%" and lo <= f.start < hi for f in figures)


def _figure_location(fig: Figure) -> dict:
    return {"figure_id": fig.figure_id, "start": fig.start, "end": fig.end, "text": fig.text, "page": fig.page}


def _narrative_verdict(doc_id: str, fig: Figure, num: Figure, den: Figure) -> Finding:
    decimals = fig.decimals or 0
    exact = 100 * num.value / den.value
    verdict = _verdict(percent_modes(num.value, den.value, fig.value, decimals))
    arithmetic = f"{num.text} / {den.text} = {exact:.4f}%"
    locs = [_figure_location(num), _figure_location(den), _figure_location(fig)]
    expected = rounded(exact, decimals)
    tol = 0.5 * 10 ** -decimals
    if verdict == ROUNDED:
        return passed(doc_id, "percentage", f"{fig.text}: {arithmetic}，四舍五入相符", expected, fig.value, tol, locs, arithmetic)
    if verdict == "inconsistent":
        return failed(doc_id, "percentage", f"{fig.text} 与所列数字不符: {arithmetic}，四舍五入为 {expected:.{decimals}f}%，截尾为 "
                      f"{math.floor(exact * 10 ** decimals + 1e-9) / 10 ** decimals:.{decimals}f}%",
                      expected, fig.value, tol, locs, arithmetic)
    return failed(doc_id, "percentage", f"{fig.text}: {arithmetic}，四舍五入应为 {expected:.{decimals}f}%，只有按{MODE_TEXT[verdict]}才成立",
                  expected, fig.value, tol, locs, arithmetic, severity="warning")
