"""Rebuild a multi-level table header from a grid of header rows into leaf-column paths.

The grid is what any format yields: one list of strings per header row, "" where a merged cell
continues. A label whose column is empty below it spans down (it is a leaf); a label with
content below it is a group and spans right over the empty cells of its own row.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..model import Column
from ..normalize.text import clean_label

_MAX_POINTS = re.compile(r"[(（]\s*(-?\d+(?:\.\d+)?)\s*分\s*[)）]")
_UNIT_IN_LABEL = re.compile(r"[(（]\s*(件|项|次|个|人次|家|%|元|万元|亿元)\s*[)）]")
_CJK = re.compile(r"[\u3400-\u9fff]")
# 合计, 得分 … and any 总X数 / 总X量 (总评价数, 总办件量): a column holding the row's whole
TOTAL_LABEL = re.compile(r"^(合计|总计|总分|得分|总得分|合计得分|总数|小计|考核得分|最终得分|总[\u4e00-\u9fff]{1,6}[数量]$)")
# 加分 / 扣分 columns state a rate per item ("加分(0.5分)"), not a ceiling the value must respect.
ADJUSTMENT_LABEL = re.compile(r"(加分|扣分|加减分)")
PERCENT_LABEL = re.compile(r"(百分比|占比|比例|率)$")
RANK_LABEL = re.compile(r"(排名|名次|排序)")


@lru_cache(maxsize=1 << 16)
def clean_header(text: str) -> str:
    """A header label as printed, with line-wrap spaces removed."""
    text = clean_label(text)
    return re.sub(r"\s+", "", text) if _CJK.search(text) else text


@lru_cache(maxsize=1 << 16)
def max_points(label: str) -> float | None:
    """The maximum points a header states, as in "网厅办件 (15分)"; None when it states none."""
    m = _MAX_POINTS.search(clean_label(label))
    return float(m.group(1)) if m else None


@lru_cache(maxsize=1 << 16)
def label_unit(label: str) -> str | None:
    """The unit a header names: "(次)", "百分比" → %, a maximum in 分 → 分."""
    lab = clean_label(label)
    m = _UNIT_IN_LABEL.search(lab)
    if m:
        return m.group(1)
    if PERCENT_LABEL.search(re.sub(r"[(（].*?[)）]", "", lab)):
        return "%"
    if max_points(lab) is not None:
        return "分"
    return None


@lru_cache(maxsize=1 << 16)
def bare_label(label: str) -> str:
    """A header label without its parenthetical notes, for matching ("网厅办件(15分)" → "网厅办件")."""
    return re.sub(r"[(（][^)）]*[)）]", "", clean_header(label)).strip("“”\"")


@lru_cache(maxsize=1 << 16)
def is_adjustment_label(label: str) -> bool:
    """A bonus or deduction column: its stated points are per item, not a maximum."""
    return bool(ADJUSTMENT_LABEL.search(clean_header(label)))


@lru_cache(maxsize=1 << 16)
def is_total_label(label: str) -> bool:
    return bool(TOTAL_LABEL.match(bare_label(label)))


def build_columns(grid: list[list[str]]) -> list[Column]:
    """Leaf columns with their header paths, from header rows (top level first)."""
    if not grid:
        return []
    width = max(len(r) for r in grid)
    rows = [[clean_header(c) for c in r] + [""] * (width - len(r)) for r in grid]
    depth = len(rows)
    paths: list[list[str]] = [[] for _ in range(width)]
    for level in range(depth):
        col = 0
        while col < width:
            label = rows[level][col]
            if not label:
                col += 1
                continue
            end = col + 1
            if _has_content_below(rows, level, col):
                # a group: it covers the empty cells to its right that have content below
                while end < width and not rows[level][end] and _has_content_below(rows, level, end) \
                        and _same_parent(rows, level, col, end):
                    end += 1
            for c in range(col, end):
                paths[c].append(label)
            col = end
    while paths and not paths[-1]:  # trailing columns a text layer padded with tabs
        paths.pop()
    columns = []
    for idx, path in enumerate(paths):
        columns.append(Column(index=idx, path=tuple(path), max_points=max_points(path[-1]) if path else None,
                              unit=label_unit(path[-1]) if path else None))
    return columns


def _has_content_below(rows: list[list[str]], level: int, col: int) -> bool:
    return any(rows[r][col] for r in range(level + 1, len(rows)))


def _same_parent(rows: list[list[str]], level: int, a: int, b: int) -> bool:
    """Columns a and b sit under the same span of every level above `level`."""
    for r in range(level):
        left = next((rows[r][c] for c in range(a, -1, -1) if rows[r][c]), "")
        right = next((rows[r][c] for c in range(b, -1, -1) if rows[r][c]), "")
        first_a = max((c for c in range(a + 1) if rows[r][c]), default=-1)
        first_b = max((c for c in range(b + 1) if rows[r][c]), default=-1)
        if left != right or first_a != first_b:
            return False
    return True


def move_total_last(columns: list[Column]) -> list[Column]:
    """Text layers sometimes print a row-spanning 合计 before a later leaf; a total is conventionally last.

    Only moves it when every column after the total has no parent group (a stray leaf), so
    real layouts with a total in the middle of a group are left alone.
    """
    for i, col in enumerate(columns):
        if col.path and len(col.path) == 1 and is_total_label(col.path[0]) and i < len(columns) - 1:
            rest = columns[i + 1:]
            if rest and all(len(c.path) <= 1 for c in rest) and all(c.path for c in rest) \
                    and not any(RANK_LABEL.search(bare_label(c.path[0])) for c in rest):  # a rank follows its total
                reordered = columns[:i] + rest + [col]
                return [Column(index=k, path=c.path, max_points=c.max_points, unit=c.unit)
                        for k, c in enumerate(reordered)]
    return columns
