"""Percentages against their count and total, telling apart rounding, truncation, rounding up,
rows adjusted to sum to 100 %, and real inconsistencies (the GRIM test's question)."""
from __future__ import annotations

import math
import re

from ..model import Cell, Column, Finding, Table
from .intervals import ROUNDED, ROUNDED_UP, TRUNCATED, percent_modes, rounded
from .kinds import is_count_column
from .sums import inferred_total
from .results import failed, passed, undecided
from .tableview import cell_at, is_percent_column, is_rank_column, label_of, location, total_column, value_columns

MODE_TEXT = {ROUNDED: "四舍五入", TRUNCATED: "截尾（舍去）", ROUNDED_UP: "进位（向上取整）"}


def _verdict(modes: set[str]) -> str:
    if ROUNDED in modes:
        return ROUNDED
    if TRUNCATED in modes:
        return TRUNCATED
    if ROUNDED_UP in modes:
        return ROUNDED_UP
    return "inconsistent"


def _agrees(modes: set[str]) -> bool:
    return ROUNDED in modes or ROUNDED_UP in modes


def _core(label: str) -> str:
    """"按期办结率" → "按期办结", "百分比" → "": what a rate's label says it counts."""
    core = re.sub(r"(百分比|占比|比例|比重|率|度)$", "", label or "")
    return re.sub(r"^(总体|综合|平均)", "", core)


def _names(rate: Column, count: Column) -> bool:
    """The rate's label names the count (按期办结率 ↔ 按期办结, 办结率 ↔ 已办结), or the header groups them."""
    if rate.path[:-1] and count.path[:-1] == rate.path[:-1]:
        return True
    core, label = _core(label_of(rate)), label_of(count)
    return len(core) >= 2 and (core in label or label in core)


def column_pair(table: Table, pct: Column, counts: list[Column]):
    """(numerator, base, rows that round right, rows checked) of a % column: the pair of count columns
    that makes the most of its rows round right; None when no pair makes any row."""
    total = total_column(table)
    best, best_key = None, None
    left = {c.index: i for i, c in enumerate(reversed(table.columns[:pct.index]))}
    for num in counts:
        for den in counts:
            if num.index == den.index:
                continue
            hits = checked = 0
            for r in range(table.n_rows):
                pc, nc, dc = cell_at(table, r, pct.index), cell_at(table, r, num.index), cell_at(table, r, den.index)
                if pc is None or nc is None or dc is None or None in (pc.value, nc.value, dc.value) or not dc.value:
                    continue
                checked += 1
                hits += _agrees(percent_modes(nc.value, dc.value, pc.value, pc.decimals or 0))
            if not hits:
                continue
            key = (hits, _names(pct, num), total is not None and den.index == total.index, -left.get(num.index, 99))
            if best_key is None or key > best_key:
                best, best_key = (num, den, hits, checked), key
    return best


def check_table_percentages(table: Table) -> list[Finding]:
    """Each % column against the two count columns whose ratio it prints, found by consensus over the rows.

    A rate, a rank and a score are never divided by one another: only count columns are tried. The binding
    is certain when the rate's label (or the header group) names its numerator and the base is the table's
    total column or the only other count column; a failing row is then an error, otherwise a warning that
    says which columns were assumed."""
    counts = [c for c in value_columns(table) if is_count_column(table, c)]
    pcts = [p for p in value_columns(table) if is_percent_column(table, p) and not is_rank_column(p)]
    if len(counts) < 2 or not pcts:
        return []
    total = total_column(table)
    inferred = inferred_total(table)
    whole = inferred[0] if inferred else None  # the count column the others add up to, row by row
    bound: dict[int, list[tuple[Column, Column, bool, str]]] = {}
    out = []
    for p in pcts:
        pair = column_pair(table, p, counts)
        if pair is None:
            out.append(undecided(table.doc_id, "percentage", f"表「{table.title or table.table_id}」「{p.header_path}」列与任何两列之比都不相符，"
                                 "未能确定其分子与基数", locations=[{"table_id": table.table_id, "col": p.index, "header": p.header_path}]))
            continue
        num, den, hits, checked = pair
        sure = _names(p, num) and ((total is not None and den.index == total.index) or len(counts) == 2
                                   or (whole is not None and whole.index == den.index))
        note = "" if sure else (f"假定「{p.header_path}」= 「{num.header_path}」/「{den.header_path}」"
                                f"（{checked} 行中 {hits} 行按此四舍五入相符）")
        bound.setdefault(den.index, []).append((p, num, sure, note))
    for den_index, group in bound.items():
        for r in range(table.n_rows):
            tcell = cell_at(table, r, den_index)
            if tcell is None or not tcell.value:
                continue
            cells = []
            for pcol, ccol, sure, note in group:
                pc, cc = cell_at(table, r, pcol.index), cell_at(table, r, ccol.index)
                if pc is None or cc is None or pc.value is None or cc.value is None:
                    continue
                cells.append((pc, cc, _verdict(percent_modes(cc.value, tcell.value, pc.value, pc.decimals or 0)), sure, note))
            if cells:
                out.extend(_row_percent_findings(table, tcell, cells))
    return out


def _row_percent_findings(table: Table, tcell: Cell, cells) -> list[Finding]:
    doc_id = table.doc_id
    label = tcell.row_label
    off = [x for x in cells if x[2] != ROUNDED]
    locs = [location(table, tcell)] + [location(table, x) for pc, cc, *_ in cells for x in (cc, pc)]
    base = label_of(table.columns[tcell.col])
    if not off:
        return [passed(doc_id, "percentage", f"「{label}」行的百分比均为{'、'.join(sorted({label_of(table.columns[cc.col]) for _, cc, *_ in cells}))}"
                       f"/{base}四舍五入所得", locations=locs)]
    decimals = max(pc.decimals or 0 for pc, *_ in cells)
    printed_sum = sum(pc.value for pc, *_ in cells)
    rounded_sum = sum(rounded(100 * cc.value / tcell.value, decimals) for _, cc, *_ in cells)
    unit = 10 ** -decimals
    if math.isclose(printed_sum, 100.0, abs_tol=unit / 10) and all(abs(pc.value - rounded(100 * cc.value / tcell.value, decimals)) <= unit + 1e-9 for pc, cc, *_ in off):
        detail = "；".join(f"{pc.header_path} 应为 {100 * cc.value / tcell.value:.4f}%，印为 {pc.text}" for pc, cc, *_ in off)
        return [failed(doc_id, "percentage", f"「{label}」行的百分比经过调整使合计为 100%（四舍五入之和为 {rounded_sum:.{decimals}f}%）：{detail}",
                       expected=rounded_sum, reported=printed_sum, tolerance=unit / 2, locations=locs,
                       arithmetic=detail, severity="warning")]
    out = []
    for pc, cc, verdict, sure, note in off:
        exact = 100 * cc.value / tcell.value
        arithmetic = f"{cc.text} / {tcell.text} = {exact:.4f}%"
        ploc = [location(table, cc), location(table, tcell), location(table, pc)]
        tail = f"；{note}" if note else ""
        if verdict == "inconsistent":
            out.append(failed(doc_id, "percentage", f"「{label}」{pc.header_path}: {arithmetic}，印为 {pc.text}，四舍五入、截尾或进位都得不到{tail}",
                              expected=rounded(exact, pc.decimals or 0), reported=pc.value, tolerance=0.5 * 10 ** -(pc.decimals or 0),
                              locations=ploc, arithmetic=arithmetic, severity="error" if sure else "warning"))
        else:
            out.append(failed(doc_id, "percentage", f"「{label}」{pc.header_path}: {arithmetic}，印为 {pc.text}，只有按{MODE_TEXT[verdict]}才成立{tail}",
                              expected=rounded(exact, pc.decimals or 0), reported=pc.value, tolerance=0.5 * 10 ** -(pc.decimals or 0),
                              locations=ploc, arithmetic=arithmetic, severity="warning"))
    return out
