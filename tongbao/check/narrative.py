"""A narrative figure against the table total it restates ("办件总量 100884 件" ↔ the 合计 row).

A figure is tied to a column when its metric names the column's label; it is then compared
with the column's total (its 合计 cell, or the sum of its rows when there is no 合计 row).
A figure that names no column but equals a column total exactly is recorded as verified.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from dataclasses import dataclass

from ..model import Document, Figure, Finding, Table
from .results import failed, passed
from .tableview import body_rows, cell_at, is_percent_column, label_of, location, total_column, total_rows, value_columns

COUNT_UNITS = ("件", "项", "次", "人次", "个", "家", "封", "人", "名")
TOTAL_WORDS = ("总量", "总数", "全部", "总计", "合计", "共计", "总")
CHANGE_WORDS = ("增长", "下降", "减少", "提升", "提高", "同比", "环比")
RESTATE_RANGE = 0.2  # a figure within 20 % of the column total it names is taken to restate it
_PREFIX = re.compile(r"^(其中|全部|总|总体|共|共计|合计|累计|各|本月|本季度)+")
_SUFFIX = re.compile(r"(类|数|量|件数|总量|总数)+$")
KIN_MARGIN = 10  # the nearest kindred column must be this many times nearer than the next
MIN_EXACT_VALUE = 100  # below this a bare equality with some column total is too likely by chance


@dataclass
class ColumnTotal:
    table: Table
    label: str
    path: tuple[str, ...]
    value: float
    cells: list  # the cells the total stands on
    grand: bool  # the total of the total column
    rows_sum: float | None = None  # the sum of the body rows, when a 合计 row is printed too
    partial: bool = False  # the text says the table lists only some units (工单量较大的承办单位…见附件)


def column_totals(table: Table) -> list[ColumnTotal]:
    out = []
    tcol = total_column(table)
    trows = total_rows(table)
    body = body_rows(table)
    for col in value_columns(table):
        if is_percent_column(table, col):
            continue
        rows_sum = None
        if trows:
            cell = cell_at(table, trows[0], col.index)
            if cell is None or cell.value is None:
                continue
            value, cells = cell.value, [cell]
            body_cells = [c for r in body if r < trows[0] and (c := cell_at(table, r, col.index)) is not None and c.value is not None]
            if body_cells and not any(c.unsure for c in body_cells):
                rows_sum = sum(c.value for c in body_cells)
        else:
            cells = [c for r in body if (c := cell_at(table, r, col.index)) is not None and c.value is not None]
            if not cells or any(c.unsure for c in cells):
                continue
            value = sum(c.value for c in cells)
        out.append(ColumnTotal(table, label_of(col), col.path, value, cells, tcol is not None and col.index == tcol.index, rows_sum))
    return out


_PARENS = re.compile(r"[(（][^)）]*[)）]")


@lru_cache(maxsize=1 << 16)
def _core(text: str) -> str:
    """A label or metric without notes, 其中/总/全部 prefixes and 类/数/量 suffixes, for comparing."""
    return _SUFFIX.sub("", _PREFIX.sub("", _PARENS.sub("", text or "")))


def _names(fig: Figure, ct: ColumnTotal) -> bool:
    """The figure's metric names this column (by its leaf or a parent label)."""
    metric = _core(fig.metric or "")
    if not metric:
        return False
    for part in ct.path:
        label = _core(part)
        if label and label not in ("评价数", "百分比") and (metric == label or (len(label) >= 3 and label in metric)):
            return True
    return ct.grand and any(w in (fig.metric or "") for w in TOTAL_WORDS)


PARTIAL_TABLE = re.compile(r"(较大|较多|较高|较低|部分|主要|重点|排名前|排名靠前|前\s*\d+|前[一二三四五六七八九十]+)[^。；;\n]{0,30}?"
                           r"(见附件|见下表|如下表|如下|详见)")


def _partial_tables(doc: Document) -> bool:
    """The text introduces a table as listing only some units: its rows need not add up to a stated total."""
    return bool(PARTIAL_TABLE.search(doc.text))


def check_narrative_totals(doc: Document) -> list[Finding]:
    totals = [ct for t in doc.tables for ct in column_totals(t)]
    partial = _partial_tables(doc)
    out = []
    for fig in doc.figures:
        if fig.unit not in COUNT_UNITS or (fig.qualifier and fig.qualifier in CHANGE_WORDS):
            continue
        named = [ct for ct in totals if _names(fig, ct)]
        exact = [ct for ct in named if math.isclose(ct.value, fig.value)]
        if exact:
            out.append(_verified(doc, fig, exact[0], "所称栏目"))
            continue
        by_rows = [ct for ct in named if ct.rows_sum is not None and math.isclose(ct.rows_sum, fig.value)]
        if by_rows:
            out.append(_verified_rows(doc, fig, by_rows[0]))
            continue
        near = [ct for ct in named if abs(ct.value - fig.value) <= RESTATE_RANGE * max(ct.value, 1)]
        if len(near) == 1:
            ct = near[0]
            msg = f"正文「{fig.metric}」{fig.text} 与表「{ct.table.title or ct.table.table_id}」「{' / '.join(ct.path)}」合计 {_fmt(ct.value)} 不符"
            severity = "error"
            if len(ct.cells) > 1 and fig.value > ct.value:
                # no 合计 row: the rows may be only some of the units the text counts
                if partial:
                    msg += "；正文称表中只列出部分单位，各行之和少于总数不算矛盾"
                    severity = "info"
                else:
                    msg += "；表无合计行，各行之和少于正文总数：若表列全了所有单位则不符"
                    severity = "warning"
            out.append(failed(doc.doc_id, "narrative_total", msg, expected=ct.value, reported=fig.value, tolerance=0.0,
                              locations=_locs(fig, ct), arithmetic=_arith(ct), severity=severity))
            continue
        if not named and fig.value >= MIN_EXACT_VALUE:
            equal = [ct for ct in totals if math.isclose(ct.value, fig.value)]
            if equal:
                out.append(_verified(doc, fig, equal[0], "数值相等的栏目"))
                continue
            equal_rows = [ct for ct in totals if ct.rows_sum is not None and math.isclose(ct.rows_sum, fig.value)]
            if equal_rows:
                out.append(_verified_rows(doc, fig, equal_rows[0]))
                continue
            kin = _closest_kin(fig, totals)
            if kin is not None:
                out.append(failed(doc.doc_id, "narrative_total",
                                  f"正文「{fig.metric}」{fig.text} 与表「{kin.table.title or kin.table.table_id}」中最接近的相关栏目"
                                  f"「{' / '.join(kin.path)}」合计 {_fmt(kin.value)} 不符", expected=kin.value, reported=fig.value,
                                  tolerance=0.0, locations=_locs(fig, kin), arithmetic=_arith(kin), severity="warning"))
    return out


def _verified_rows(doc: Document, fig: Figure, ct: ColumnTotal) -> Finding:
    """The figure equals the column's rows added up, not the 合计 row printed under them (column_sum reports that)."""
    t = ct.table
    return passed(doc.doc_id, "narrative_total",
                  f"正文「{fig.metric}」{fig.text} 与表「{t.title or t.table_id}」「{' / '.join(ct.path)}」各行之和 {_fmt(ct.rows_sum)} 相符"
                  f"（表中合计行印为 {_fmt(ct.value)}，与各行之和不符）", expected=ct.rows_sum, reported=fig.value, tolerance=0.0,
                  locations=_locs(fig, ct), arithmetic=f"各行之和 = {_fmt(ct.rows_sum)}")


STATUS = re.compile(r"(应|按期|超期|延期|逾期|未|已|确认|回访|正在|尚在|仍在)$")


def _kin(fig: Figure, ct: ColumnTotal) -> bool:
    """The metric's head word (its last two characters: 主动评价 → 评价) is in the column's label (用户评价),
    unless both qualify it by a different completion status (经回访确认办结 is a part of 已办结, not it)."""
    metric = re.sub(r"的$", "", _core(fig.metric or ""))
    label = _core(ct.label)
    if len(metric) < 2:
        return False
    head = metric[-2:]
    at = label.find(head)
    if at < 0:
        return False
    mine, theirs = STATUS.search(metric[:-2]), STATUS.search(label[:at])
    return not ((mine or theirs) and metric[:-2] and label[:at] and (mine and mine.group(1)) != (theirs and theirs.group(1)))


def _closest_kin(fig: Figure, totals: list[ColumnTotal]) -> ColumnTotal | None:
    """A column total of a kindred label so much closer to the figure than any other that the figure
    must restate it (the nearest at least KIN_MARGIN times nearer than the next); None otherwise."""
    kin = sorted((ct for ct in totals if _kin(fig, ct) and abs(ct.value - fig.value) <= RESTATE_RANGE * max(ct.value, 1)),
                 key=lambda ct: abs(ct.value - fig.value))
    if not kin:
        return None
    nearest = abs(kin[0].value - fig.value)
    if len(kin) == 1 or abs(kin[1].value - fig.value) >= KIN_MARGIN * nearest:
        return kin[0]
    return None


def _verified(doc: Document, fig: Figure, ct: ColumnTotal, how: str) -> Finding:
    return passed(doc.doc_id, "narrative_total",
                  f"正文「{fig.metric}」{fig.text} 与表「{ct.table.title or ct.table.table_id}」{how}「{' / '.join(ct.path)}」合计相符",
                  expected=ct.value, reported=fig.value, tolerance=0.0, locations=_locs(fig, ct), arithmetic=_arith(ct))


def _locs(fig: Figure, ct: ColumnTotal) -> list[dict]:
    return [{"figure_id": fig.figure_id, "start": fig.start, "end": fig.end, "text": fig.text, "page": fig.page}] + [
        location(ct.table, c) for c in ct.cells]


def _arith(ct: ColumnTotal) -> str:
    if len(ct.cells) == 1:
        return f"{ct.cells[0].text}（合计行）"
    return " + ".join(c.text for c in ct.cells) + f" = {_fmt(ct.value)}"


def _fmt(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")
