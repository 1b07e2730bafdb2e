"""Place a row's values into value columns when the counts differ, never silently.

A text layer drops blank cells and sometimes splits one cell into two, so a row can carry fewer
or more values than the header has columns. The one placement that respects every column's
maximum points and the row's own total is kept; when none or several fit, the row is unsure.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from ..model import Column
from .headers import is_adjustment_label
from ..normalize.numbers import Number, parse_number

MAX_PLACEMENTS = 20_000  # combinations tried before giving up on a row
EXACT = "exact"
FITTED = "fitted"
AMBIGUOUS = "ambiguous"  # several placements fit
NO_FIT = "no_fit"  # no placement fits


@dataclass
class Placement:
    """Where each value of a row went: slots[i] is the column index of value i (None: unplaced)."""

    slots: list[int | None]
    status: str
    reason: str = ""

    @property
    def unsure(self) -> bool:
        return self.status in (AMBIGUOUS, NO_FIT)


def _fits_column(num: Number | None, col: Column) -> bool:
    if num is None:
        return True
    if col.max_points is None or (col.path and is_adjustment_label(col.path[-1])):
        return True
    return -1e-9 <= num.value <= col.max_points + 1e-9


def _sum_fits(nums: list[Number | None], slots: list[int], total_col: int | None) -> bool:
    if total_col is None or total_col not in slots:
        return True
    total = nums[slots.index(total_col)]
    parts = [n for n, s in zip(nums, slots) if s != total_col and n is not None]
    if total is None or not parts:
        return True
    tol = total.half_ulp if total.decimals < max(p.decimals for p in parts) else 0.0
    return math.isclose(sum(p.value for p in parts), total.value, abs_tol=tol + 1e-6)


def row_adds_up(texts: list[str], total_last: bool) -> bool:
    """Whether the values before the last add up to the last, wherever the blanks are."""
    nums = [parse_number(t) for t in texts]
    if not total_last or len(nums) < 2 or any(n is None for n in nums):
        return False
    return _sum_fits(nums, list(range(len(nums))), len(nums) - 1)


def place(texts: list[str], columns: list[Column], total_col: int | None = None, typical: int | None = None) -> Placement:
    """Assign value texts to value columns (indices into `columns`), keeping their order.

    `typical` is how many values the table's rows that add up carry: a full row that neither adds
    up nor respects the maxima, and differs from that count, is taken as shifted by the text layer.
    """
    n, k = len(columns), len(texts)
    if k == 0:  # a row that only names something (a section heading such as "二、区直部门")
        return Placement([], EXACT)
    nums = [parse_number(t) for t in texts]
    if k == n:
        slots = list(range(n))
        bad = [i for i in slots if not _fits_column(nums[i], columns[i])]
        shifted = len(bad) >= 2 or (typical is not None and typical != k)
        if bad and shifted and not _sum_fits(nums, slots, total_col):
            return Placement(list(slots), NO_FIT, f"{len(bad)} 个值超过所在列的满分且该行合计不符：文本层中的值很可能错位")
        return Placement(slots, EXACT)
    if k > n:
        slots = list(range(n)) + [None] * (k - n)
        return Placement(slots, NO_FIT, f"{k} 个值对应 {n} 列：文本层中的值多于表头的列数")
    # fewer values than columns: choose which columns are blank; the total stays last if present
    fitting = []
    tried = 0
    for chosen in itertools.combinations(range(n), k):
        tried += 1
        if tried > MAX_PLACEMENTS:
            return Placement(list(range(k)), AMBIGUOUS, "可能的放置方式太多，无法判定")
        slots = list(chosen)
        if total_col is not None and total_col in range(n) and nums[-1] is not None and slots[-1] != total_col:
            continue
        if all(_fits_column(nums[i], columns[s]) for i, s in enumerate(slots)) and _sum_fits(nums, slots, total_col):
            fitting.append(slots)
            if len(fitting) > 1 and fitting[0] != slots:
                break
    if len(fitting) == 1:
        return Placement(fitting[0], FITTED, f"{k} 个值对应 {n} 列：唯一符合各列满分与行合计的放置方式")
    if not fitting:
        slots = list(range(k - 1)) + ([total_col] if total_col is not None else [k - 1])
        return Placement(slots, NO_FIT, f"{k} 个值对应 {n} 列：没有一种放置方式同时符合各列满分与行合计")
    slots = list(range(k - 1)) + ([total_col] if total_col is not None else [k - 1])
    return Placement(slots, AMBIGUOUS, f"{k} 个值对应 {n} 列：有多种放置方式都符合，无法判断哪一列为空")
