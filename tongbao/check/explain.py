"""Why a sum or a share does not hold, in words an auditor can act on.

- a difference equal to exactly one row's or one item's value: that row looks left out (or counted twice);
- a printed number with the same digits as the right one, two of them swapped (1243 for 1234, a
  difference that is a multiple of 9): the digits look transposed;
- shares that sum to exactly 100 although their roundings do not: they were nudged to 100.
"""
from __future__ import annotations

import math


def _fmt(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


def left_out(expected: float, reported: float, items: list[tuple[str, float]], what: str = "行") -> str | None:
    """`expected` (the parts' sum) against `reported` (the printed total): when the difference is the
    value of exactly one of the labelled items, say that the total leaves it out (or counts it twice)."""
    diff = expected - reported
    if math.isclose(diff, 0.0, abs_tol=1e-9):
        return None
    hits = [label for label, value in items if value and math.isclose(value, abs(diff), abs_tol=1e-6)]
    if len(hits) != 1:
        return None
    if diff > 0:
        return f"差额 {_fmt(diff)} 恰为「{hits[0]}」{what}的数值：合计似漏计了该{what}"
    return f"差额 {_fmt(-diff)} 恰为「{hits[0]}」{what}的数值：合计似多计（重复计入）了该{what}"


def _digits(x: float, decimals: int) -> str:
    return f"{abs(x):.{max(decimals, 0)}f}".replace(".", "")


def transposition(printed: float, expected: float, decimals: int) -> str | None:
    """Two digits of `printed` swapped give `expected` (at the printed precision): a transposition."""
    a, b = _digits(printed, decimals), _digits(expected, decimals)
    if a == b or len(a) != len(b) or sorted(a) != sorted(b) or (printed < 0) != (expected < 0):
        return None
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) != 2 or a[diff[0]] != b[diff[1]] or a[diff[1]] != b[diff[0]]:
        return None
    unit = 10 ** -max(decimals, 0)
    steps = round(abs(printed - expected) / unit)
    return (f"印为 {printed:.{max(decimals, 0)}f}、应为 {expected:.{max(decimals, 0)}f}：两数数字相同，差额为 9 的倍数"
            f"（{steps} = 9 × {steps // 9}），似为数字 {a[diff[0]]} 与 {a[diff[1]]} 颠倒")


def nudged_to_100(printed: list[float], exact: list[float], decimals: int) -> str | None:
    """Printed shares that sum to exactly 100 while their roundings do not, each within one printed unit
    of its exact value: the shares were adjusted so that they sum to 100."""
    unit = 10 ** -max(decimals, 0)
    if not printed or not math.isclose(sum(printed), 100.0, abs_tol=unit / 10):
        return None
    rounded_sum = sum(math.floor(x / unit + 0.5 + 1e-9) * unit for x in exact)
    if math.isclose(rounded_sum, 100.0, abs_tol=unit / 10):
        return None
    if any(abs(p - x) > unit + 1e-9 for p, x in zip(printed, exact)):
        return None
    return (f"各项印出的百分比之和恰为 100%，而各自四舍五入之和为 {rounded_sum:.{max(decimals, 0)}f}%："
            "似为凑足 100% 而调整了个别项")


def explain_sum(expected: float, reported: float, decimals: int, items: list[tuple[str, float]], what: str = "行") -> str | None:
    """The first explanation that fits a sum printed as `reported` whose parts add up to `expected`."""
    return left_out(expected, reported, items, what) or transposition(reported, expected, decimals)
