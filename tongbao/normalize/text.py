"""Deliberate normalization of Chinese text: full-width digits, letters and chosen punctuation.

Never blanket NFKC: it would turn 〔2022〕 into something else and the Chinese comma "，" into ","
which then reads as a thousands separator. Callers keep the original string beside the result.
"""
from __future__ import annotations

import re

# Full-width ASCII digits and letters map to ASCII one to one.
_FULLWIDTH_ALNUM = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}
_FULLWIDTH_ALNUM.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})
_FULLWIDTH_ALNUM.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})

# Punctuation that carries no meaning of its own in a number or a name; "，" "、" "。" "〔〕"
# and the Chinese quotes are kept as they are.
_PUNCT = {
    "（": "(",
    "）": ")",
    "％": "%",
    "．": ".",
    "－": "-",
    "＋": "+",
    "／": "/",
    "：": ":",
    "\u3000": " ",
    "\u00a0": " ",
    "﹪": "%",
    "—": "-",
}

_TABLE = str.maketrans({**_FULLWIDTH_ALNUM, **_PUNCT})

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_CHAR = re.compile(f"[{_CJK}]")  # a Chinese character (ideograph), not CJK punctuation
_WRAP_SPACE = re.compile(rf"(?<=[{_CJK}（(“”、，])\s+(?=[{_CJK}（）()”“、，])|(?<=[{_CJK}])\s+(?=[)）])")


def normalize_chars(text: str) -> str:
    """Map full-width digits, letters and a few punctuation marks to ASCII; keep the rest."""
    return text.translate(_TABLE)


def join_wrapped(text: str) -> str:
    """Remove spaces a line wrap left between Chinese characters ("不动产登记中 心" → "不动产登记中心")."""
    return _WRAP_SPACE.sub("", text.strip())


def clean_label(text: str) -> str:
    """A cell or name as it should be compared: wrap spaces removed, full-width forms mapped."""
    return join_wrapped(normalize_chars(text)).strip()


_CJK_ADJACENT_SPACE = re.compile(rf"(?<=[{_CJK}“”])\s+|\s+(?=[{_CJK}“”])")


def squeeze_spaces(text: str) -> str:
    """Drop spaces next to Chinese characters ("2020 年 11 月份" → "2020年11月份"), for titles and labels."""
    return _CJK_ADJACENT_SPACE.sub("", clean_label(text))
