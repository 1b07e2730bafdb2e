"""Traditional characters → simplified, for matching and comparing only; the original string is always kept.

Bulletins from Hong Kong, Macao and Taiwan, and some from the mainland reprinted from them, are written in
traditional characters (人力資源和社會保障局, 稅務局). tongbao reads them as they are and keeps every
printed string; what it compares (metadata patterns, department names, table labels) goes through
`to_simplified` first, OpenCC's t2s conversion (phrases first, then characters), whose dictionaries ship
inside the `opencc` wheel: nothing is downloaded at run time.

Only characters are changed, never punctuation or digits: 〔2024〕 and the Chinese comma "，" come out as
they went in.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .text import _TABLE, normalize_chars

# The CJK blocks whose characters t2s may change on their own (Extension A and the Unified block).
_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000))
_SPACE = re.compile(r"\s")


@lru_cache(maxsize=1)
def _converter():
    import opencc  # the C++ library and its dictionaries, in the wheel

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def traditional_chars() -> frozenset[str]:
    """Every character t2s changes when it stands alone: the test of the fast path."""
    chars = [chr(c) for lo, hi in _BLOCKS for c in range(lo, hi)]
    converted = _converter().convert("\n".join(chars)).split("\n")
    return frozenset(a for a, b in zip(chars, converted) if a != b)


def has_traditional(text: str | None) -> bool:
    """Whether `text` holds a character that t2s would change."""
    return bool(text) and not text.isascii() and not traditional_chars().isdisjoint(text)


def to_simplified(text: str | None) -> str | None:
    """`text` with traditional characters made simplified (t2s); the same object when there are none.

    Lengths may differ in rare phrase conversions; use `aligned_simplified` when positions must match."""
    if not has_traditional(text):
        return text
    return _converter().convert(text)


def aligned_simplified(text: str) -> str:
    """The simplified form of `text` with one character for each of its characters, so an offset into
    one is an offset into the other: t2s of the whole text when it keeps the length, else character
    by character."""
    simplified = to_simplified(text)
    if simplified is text or len(simplified) == len(text):
        return simplified
    chars = list(text)
    converted = _converter().convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - t2s never maps a character to a line break
        return text
    return "".join(b if len(b) == 1 else a for a, b in zip(chars, converted))


@lru_cache(maxsize=None)
def _other(config: str):
    import opencc

    return opencc.OpenCC(config)


@lru_cache(maxsize=1)
def variant_chars() -> frozenset[str]:
    """Characters t2s leaves alone that Hong Kong or Taiwan write for a simplified one (衞 for 卫)."""
    chars = [chr(c) for lo, hi in _BLOCKS for c in range(lo, hi)]
    plain = _converter().convert("\n".join(chars)).split("\n")
    out = set()
    for config in ("hk2s", "tw2s"):
        conv = _other(config).convert("\n".join(chars)).split("\n")
        out.update(a for a, b, p in zip(chars, conv, plain) if b != a and p == a)
    return frozenset(out)


def to_simplified_name(text: str | None) -> str | None:
    """A name's simplified form for matching it: t2s, and the Hong Kong and Taiwan variant characters
    t2s leaves alone (衞 → 卫, OpenCC hk2s). Characters only, never words (資訊 stays 资讯, as a name
    written 资讯 in simplified characters must meet it). A name without either is returned as it is."""
    if not text or text.isascii():
        return text
    if not variant_chars().isdisjoint(text):
        text = _other("hk2s").convert(text)
    return to_simplified(text)


class Backmap:
    """The printed (original-script) form of a string derived from the simplified text of a document.

    A value found in the simplified text (a title, an issuer, cleaned of wrap spaces and full-width
    forms as the metadata reader cleans them) is located there and rewritten with the characters the
    document printed at those places; a value not found there (a registry name such as 芜湖市) is
    rewritten with the characters this document printed for each simplified one, where that is one
    character only."""

    def __init__(self, original: str, simplified: str):
        if len(original) != len(simplified):
            raise ValueError("Backmap needs an aligned simplified text (see aligned_simplified)")
        self.original, self.simplified = original, simplified
        seen: dict[str, set[str]] = {}
        for a, b in zip(original, simplified):
            if a != b:
                seen.setdefault(b, set()).add(a)
        self._changed = frozenset(seen)
        self._char = {b: next(iter(a)) for b, a in seen.items() if len(a) == 1}

    def __call__(self, value: str | None) -> str | None:
        if not value or self._changed.isdisjoint(value):
            return value
        located = self._locate(value)
        if located is not None:
            return located
        return "".join(self._char.get(ch, ch) for ch in value)

    def _locate(self, value: str) -> str | None:
        chars = [ch for ch in value if not _SPACE.match(ch)]
        if not chars:
            return None
        pattern = r"\s*".join(_alternatives(ch) for ch in chars)
        m = re.search(pattern, self.simplified)
        if not m:
            return None
        out, j = [], 0
        for i in range(m.start(), m.end()):
            s = self.simplified[i]
            if _SPACE.match(s):
                continue
            # the value holds the cleaned character; the document printed self.original[i] there
            out.append(self.original[i] if self.original[i] != s and normalize_chars(s) == chars[j] else chars[j])
            j += 1
        # spaces the value kept (between ASCII words) come back where they were
        return _respace(value, "".join(out))


def _respace(value: str, chars: str) -> str:
    out, k = [], 0
    for ch in value:
        if _SPACE.match(ch):
            out.append(ch)
        else:
            out.append(chars[k])
            k += 1
    return "".join(out)


@lru_cache(maxsize=None)
def _alternatives(ch: str) -> str:
    """A regular expression for one cleaned character: itself or any full-width form the cleaning maps to it."""
    forms = [ch] + [chr(k) for k, v in _TABLE.items() if v == ch]
    return "(?:" + "|".join(re.escape(f) for f in forms) + ")"
