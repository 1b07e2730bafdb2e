"""Parse a printed number: Arabic or Chinese numerals, full-width digits, 1,234, 12.5%, 3万.

Every parse keeps the printed precision (decimals), because checks treat a printed number as
the interval it stands for.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import cn2an

from .text import normalize_chars

CN_DIGITS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
_CN_NUMBER = re.compile(rf"^[{CN_DIGITS}点]+$")
# An ASCII thousands separator only counts between groups of exactly three digits.
_ARABIC = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_MULTIPLIERS = {"万": 4, "亿": 8}  # powers of ten


@dataclass(frozen=True)
class Number:
    """A parsed number with the unit it carried and how many decimals were printed."""

    value: float
    decimals: int
    unit: str | None = None

    @property
    def half_ulp(self) -> float:
        """Half of the last printed digit: the rounding radius of this number."""
        return 0.5 * 10 ** (-self.decimals)


def _arabic(text: str) -> Number | None:
    if not _ARABIC.match(text):
        return None
    digits = text.replace(",", "")
    decimals = len(digits.split(".", 1)[1]) if "." in digits else 0
    return Number(float(digits), decimals)


def _chinese(text: str) -> Number | None:
    if not _CN_NUMBER.match(text):
        return None
    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    decimals = len(text.split("点", 1)[1]) if "点" in text else 0
    return Number(float(value), decimals)


@lru_cache(maxsize=1 << 16)  # a table's cells repeat the same strings; Number is immutable
def parse_number(text: str | None) -> Number | None:
    """The number printed in a cell or figure, or None when the text is not one number.

    Accepts 1,234 / 1234.5 / -3 / 12.5% / 0.00% / １２３ / 一千二百 / 3.5万 / 2亿元-style units.
    """
    if text is None:
        return None
    s = normalize_chars(str(text)).strip().replace(" ", "")
    if not s:
        return None
    unit = None
    if s.endswith("%"):
        unit, s = "%", s[:-1]
    elif s.endswith("‰"):
        unit, s = "‰", s[:-1]
    exponent = 0
    if len(s) > 1 and s[-1] in _MULTIPLIERS and not _CN_NUMBER.match(s):
        exponent, s = _MULTIPLIERS[s[-1]], s[:-1]
    num = _arabic(s) or _chinese(s)
    if num is None:
        return None
    # 3.5万 is 35000 known to the thousand: decimals become negative.
    return Number(num.value * 10**exponent, num.decimals - exponent, unit)
