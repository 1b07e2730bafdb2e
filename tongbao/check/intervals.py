"""Printed numbers as intervals: how far a sum or a percentage may stray because of rounding.

As XBRL Calculations 1.1 treats rounded facts: a printed 99.9 stands for [99.85, 99.95) when
rounded and [99.9, 100.0) when truncated. Counts and scores printed in full are exact.
"""
from __future__ import annotations

import math

EPS = 1e-9
ROUNDED = "rounded"
TRUNCATED = "truncated"
ROUNDED_UP = "rounded_up"


def sum_tolerance(part_decimals: list[int], total_decimals: int, rounded_parts: list[bool] | None = None) -> float:
    """How far an exact sum may be from a printed total.

    Parts that are themselves rounded (percentages) add their half-unit; a total printed with fewer
    decimals than its parts adds its own half-unit. Exact parts add nothing, so a one-unit
    difference among counts is never hidden.
    """
    rounded_parts = rounded_parts or [False] * len(part_decimals)
    tol = sum(0.5 * 10 ** -d for d, r in zip(part_decimals, rounded_parts) if r)
    if part_decimals and total_decimals < max(part_decimals):
        tol += 0.5 * 10 ** -total_decimals
    elif any(rounded_parts):
        tol += 0.5 * 10 ** -total_decimals
    return tol


def percent_modes(count: float, total: float, printed: float, decimals: int) -> set[str]:
    """Which ways of printing count/total as a percentage give `printed` at `decimals` decimals."""
    if total <= 0:
        return set()
    exact = 100.0 * count / total
    unit = 10 ** -decimals
    modes = set()
    if math.isclose(_round_half_up(exact, decimals), printed, abs_tol=unit / 10):
        modes.add(ROUNDED)
    if math.isclose(math.floor(exact / unit + EPS) * unit, printed, abs_tol=unit / 10):
        modes.add(TRUNCATED)
    # Rounding up is a convention only for showing a non-zero share as the smallest printable unit.
    if 0 < exact < unit and math.isclose(printed, unit, abs_tol=unit / 10):
        modes.add(ROUNDED_UP)
    return modes


def _round_half_up(x: float, decimals: int) -> float:
    unit = 10 ** -decimals
    return math.floor(x / unit + 0.5 + EPS) * unit


def rounded(x: float, decimals: int) -> float:
    """x rounded half-up at `decimals`, as offices print."""
    return _round_half_up(x, decimals)
