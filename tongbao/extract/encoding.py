"""Decode a text bulletin whose encoding is not declared, and refuse bytes that give no plausible Chinese.

Order:
1. a byte-order mark: UTF-8, UTF-32 LE/BE, UTF-16 LE/BE (UTF-32 LE before UTF-16 LE, whose mark starts it);
2. NUL bytes in the pattern of UTF-16 or UTF-32 without a mark (ASCII characters put a NUL in every
   high byte); other NUL or control bytes mean the file is binary. (UTF-16 whose every other byte
   is in the rows of Chinese characters is also a candidate of step 3);
3. UTF-8, GB18030 (which holds GBK and GB2312) and Big5 (then its cp950 and HKSCS extensions), each
   decoded strictly and judged by `plausibility`: a real text's Chinese characters are nearly all
   among the 3500 commonest and mostly among the 1000 commonest (tongbao/data/hanzi_frequency.txt,
   simplified and traditional forms), while another encoding's bytes, or random bytes, give rare
   characters, private-use and unassigned code points. The most plausible reading wins; a near tie
   goes to UTF-8, then GB18030, then Big5, as bulletins are written in that order of likelihood;
4. when no reading is clearly right (none plausible, a weak best, or two close), charset-normalizer's
   detector is asked too, and its reading wins only when it is more plausible still.
A text that no encoding makes plausible raises ExtractionError (via UndecodableText) saying why: the
file becomes a `failed` row, never an `ok` one holding mojibake.
"""
from __future__ import annotations

import codecs
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..errors import ExtractionError, UndecodableText

MAX_CONTROL_RATIO = 0.01  # above this share of control bytes the file is binary, not text
SAMPLE_CHARS = 400_000  # plausibility is judged on the first characters of a long text

BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
# Readings tried without a mark, in order of preference on a near tie; Big5's extensions only when Big5 fails.
CANDIDATES = (("utf-8",), ("gb18030",), ("big5", "cp950", "big5hkscs"))

# Plausibility of a reading (see `Plausibility`).
TOP = 1000  # "commonest" rank
MIN_JUDGED = 12  # below this many Chinese characters only bad code points are held against a text
MIN_TOP_SHARE = 0.5  # of the Chinese characters, at least this share among the 1000 commonest
MAX_RARE_SHARE = 0.2  # and at most this share outside the 3500 commonest
MAX_BAD_SHARE = 0.05  # of the non-ASCII characters, at most this share replacement / private use / unassigned
CLEAR_SCORE = 0.75  # a reading at least this plausible, and this far ahead of the next, needs no detector
CLEAR_MARGIN = 0.15
TIE_MARGIN = 0.05  # readings this close are a tie, broken by CANDIDATES' order
_NEXT_LINE = "\x85"  # the one C1 control a text may hold (NEL, a line break)
_FOREIGN_SCRIPTS = ("HIRAGANA", "KATAKANA", "HANGUL", "GREEK", "CYRILLIC", "BOPOMOFO", "ARABIC", "HEBREW", "THAI",
                    "DEVANAGARI", "ARMENIAN", "GEORGIAN", "ETHIOPIC", "YI ", "TIBETAN")


@lru_cache(maxsize=1)
def hanzi_ranks() -> dict[str, int]:
    """Character → frequency rank (1 = commonest) for the 3500 commonest, traditional forms sharing their
    simplified character's rank."""
    ranks: dict[str, int] = {}
    text = resources.files("tongbao").joinpath("data/hanzi_frequency.txt").read_text(encoding="utf-8")
    rank = 0
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        rank += 1
        simplified, _, traditional = line.partition("\t")
        for ch in simplified + traditional:
            ranks.setdefault(ch, rank)
    return ranks


def _is_cjk(o: int) -> bool:
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF)


@lru_cache(maxsize=65536)
def _kind(ch: str) -> str:
    """top / common / rare (Chinese characters by rank), bad, foreign or neutral, for a non-ASCII character."""
    o = ord(ch)
    if _is_cjk(o):
        if 0xF900 <= o <= 0xFAFF:
            ch = unicodedata.normalize("NFC", ch)  # a compatibility ideograph counts as its unified twin
        rank = hanzi_ranks().get(ch)
        if rank is None:
            return "rare"
        return "top" if rank <= TOP else "common"
    if ch == "\ufffd":
        return "bad"
    category = unicodedata.category(ch)
    if category in ("Co", "Cn", "Cs") or (category == "Cc" and ch != _NEXT_LINE):
        return "bad"
    if category.startswith("L"):
        if o < 0x250 and category in ("Lu", "Ll"):
            return "latin"  # accented Latin letters (Latin-1 Supplement, Extended-A and -B)
        if unicodedata.name(ch, "").startswith(_FOREIGN_SCRIPTS):
            return "foreign"
    return "neutral"


@dataclass(frozen=True)
class Plausibility:
    """How much a decoded text looks like Chinese written in the encoding it was read with.

    Counts are of characters: `cjk` Chinese characters, of which `top` among the 1000 commonest and
    `common` among the 3500 commonest (top included); `bad` replacement characters, private-use,
    unassigned and surrogate code points and stray control characters; `foreign` letters of other
    scripts (kana, hangul, Greek, Cyrillic …) and `latin` accented Latin letters, which Chinese text
    rarely holds but another encoding's bytes often give; `non_ascii` every character outside ASCII and
    `ascii_letters` the plain letters a–z, A–Z."""

    cjk: int = 0
    top: int = 0
    common: int = 0
    bad: int = 0
    foreign: int = 0
    latin: int = 0
    non_ascii: int = 0
    ascii_letters: int = 0

    @property
    def rare(self) -> int:
        return self.cjk - self.common

    @property
    def score(self) -> float:
        """About 1 for real Chinese, 0.5 or less for random common characters, below 0 for mojibake."""
        odd = self.foreign + self.latin
        judged = self.cjk + self.bad + odd
        if not judged:
            return 1.0
        return (self.top + 0.6 * (self.common - self.top) - self.rare - 2 * self.bad - 0.5 * odd) / judged

    @property
    def problem(self) -> str | None:
        """Why the text is not plausible, or None when it is."""
        if self.bad and self.bad > MAX_BAD_SHARE * max(self.non_ascii, 1) and (self.non_ascii >= MIN_JUDGED
                                                                                  or self.bad * 2 > self.non_ascii):
            return (f"{self.bad} of its {self.non_ascii} non-ASCII characters are replacement, private-use, "
                    f"unassigned or control code points")
        if self.latin >= MIN_JUDGED and self.latin > self.ascii_letters:
            return (f"{self.latin} accented Latin letters against {self.ascii_letters} plain ones: the bytes of "
                    f"another encoding read as Latin-1 (mojibake)")
        if self.cjk >= MIN_JUDGED:
            if self.rare > MAX_RARE_SHARE * self.cjk:
                return (f"{self.rare / self.cjk:.0%} of its {self.cjk} Chinese characters are rare ones, "
                        f"outside the 3500 commonest")
            if self.top < MIN_TOP_SHARE * self.cjk:
                return (f"only {self.top / self.cjk:.0%} of its {self.cjk} Chinese characters are among the "
                        f"1000 commonest, as in random bytes")
        return None

    @property
    def ok(self) -> bool:
        return self.problem is None


def plausibility(text: str) -> Plausibility:
    """Judge `text` (its first SAMPLE_CHARS characters) as decoded Chinese."""
    counts = Counter(text[:SAMPLE_CHARS])
    tally = Counter()
    for ch, n in counts.items():
        if ch.isascii():  # ASCII control bytes are the binary test's business (looks_binary)
            if ch.isalpha():
                tally["ascii_letters"] += n
            continue
        tally["non_ascii"] += n
        kind = _kind(ch)
        if kind in ("top", "common", "rare"):
            tally["cjk"] += n
            if kind != "rare":
                tally["common"] += n
            if kind == "top":
                tally["top"] += n
        elif kind != "neutral":
            tally[kind] += n
    return Plausibility(**tally)


@dataclass(frozen=True)
class Reading:
    """One way of decoding the bytes: the text, the codec's name and how plausible the text is."""

    text: str
    encoding: str
    judged: Plausibility

    @property
    def score(self) -> float:
        return self.judged.score


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters mean this is not a text file."""
    if b"\x00" in data[:65536]:
        return True
    sample = data[:65536]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > MAX_CONTROL_RATIO * max(1, len(sample))


def _binary_text(text: str) -> bool:
    """The decoded-text twin of looks_binary, for wide encodings, where ASCII control bytes are NUL-padded."""
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\f\r")
    return "\x00" in sample or controls > MAX_CONTROL_RATIO * max(1, len(sample))


def bom_encoding(data: bytes) -> tuple[str, str] | None:
    """(codec, name) of the byte-order mark `data` starts with, or None."""
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            return codec, name
    return None


def decode_bom(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) of bytes that start with a byte-order mark, or None without one.
    Raises UndecodableText when the bytes after the mark do not decode, or give no plausible text."""
    found = bom_encoding(data)
    if found is None:
        return None
    codec, name = found
    bom_len = next(len(b) for b, c, _ in BOMS if c == codec)
    try:
        text = data[bom_len:].decode(codec)
    except UnicodeDecodeError as exc:
        raise UndecodableText(f"undecodable text: it starts with a {name.upper()} byte-order mark but its bytes "
                              f"are not {name.upper()} ({exc.reason} at byte {exc.start + bom_len})") from exc
    if _binary_text(text):
        raise UndecodableText(f"binary content: it starts with a {name.upper()} byte-order mark but holds NUL or "
                              f"control characters")
    judged = plausibility(text)
    if not judged.ok:
        raise UndecodableText(f"implausible text: read as {name.upper()} (its byte-order mark), {judged.problem}")
    return text, name


def _wide_unicode(data: bytes) -> list[str]:
    """UTF-32 / UTF-16 codecs whose byte pattern `data` shows without a mark: the NUL high bytes of the
    ASCII characters (digits, tabs, line breaks), or high bytes all in the rows of Chinese characters."""
    out = []
    n = len(data)
    if n >= 8 and n % 4 == 0:
        for codec, zero_at in (("utf-32-le", (2, 3)), ("utf-32-be", (0, 1))):
            if all(data[i::4].count(0) >= 0.98 * (n // 4) for i in zero_at):
                out.append(codec)
    if n >= 4 and n % 2 == 0:
        for codec, hi, lo in (("utf-16-le", data[1::2], data[0::2]), ("utf-16-be", data[0::2], data[1::2])):
            half = n // 2
            nul_high, nul_low = hi.count(0), lo.count(0)
            cjk_rows = sum(hi.count(b) for b in (0x00, 0x20, 0x30, 0xFF, *range(0x4E, 0xA0)))
            if (nul_high >= 0.05 * half and nul_low <= nul_high / 8) or cjk_rows >= 0.95 * half:
                out.append(codec)
    return out


def _read(data: bytes, codecs_: tuple[str, ...]) -> Reading | None:
    """The first of `codecs_` that decodes `data` strictly, judged; None when none does (or, for UTF-16
    and UTF-32, when the characters are those of a binary file)."""
    for codec in codecs_:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if codec.startswith(("utf-16", "utf-32")) and _binary_text(text):
            continue
        return Reading(text, codec, plausibility(text))
    return None


def _detected(data: bytes) -> Reading | None:
    """charset-normalizer's best reading of the bytes, judged the same way, or None."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    best = from_bytes(data).best()
    if best is None or not best.encoding:
        return None
    try:
        codec = codecs.lookup(best.encoding).name
    except LookupError:
        return None
    return _read(data, (codec,))


def _prefer(readings: list[Reading]) -> Reading | None:
    """The most plausible reading; a near tie goes to the earlier one."""
    best = None
    for r in readings:
        if best is None or r.score > best.score + TIE_MARGIN:
            best = r
    return best


def _mojibake(reading: Reading) -> str | None:
    """Why a reading made of accented Latin letters is Chinese mojibake (its characters are the bytes of
    Chinese text in another encoding, read as Latin-1 and saved again), or None."""
    judged = reading.judged
    if judged.latin < MIN_JUDGED:
        return None
    for western in ("cp1252", "latin-1"):
        try:
            raw = reading.text.encode(western)
        except UnicodeEncodeError:
            continue
        for codecs_ in CANDIDATES:
            inner = _read(raw, codecs_)
            if inner is not None and inner.judged.ok and inner.judged.cjk >= MIN_JUDGED:
                return (f"mojibake: its characters are {inner.encoding} bytes of Chinese text read as {western}"
                        f" (“{reading.text.strip()[:12]}” for “{inner.text.strip()[:6]}”)")
    return None


def _accept(reading: Reading) -> tuple[str, str]:
    problem = _mojibake(reading)
    if problem:
        raise UndecodableText(f"implausible text: read as {reading.encoding}, {problem}")
    return reading.text, reading.encoding


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding) of a text file; raise ExtractionError saying why when there is none."""
    if not data.strip():
        raise ExtractionError("empty file: no text to read")
    with_bom = decode_bom(data)
    if with_bom is not None:
        return with_bom
    readings: list[Reading] = []
    if b"\x00" in data[:65536]:
        readings = [r for r in (_read(data, (c,)) for c in _wide_unicode(data)) if r is not None]
        if not readings:
            raise ExtractionError("binary content: not a text bulletin (NUL or control bytes found)")
    elif looks_binary(data):
        raise ExtractionError("binary content: not a text bulletin (NUL or control bytes found)")
    else:
        readings = [r for r in (_read(data, c) for c in CANDIDATES) if r is not None]
        readings += [r for r in (_read(data, (c,)) for c in _wide_unicode(data)) if r is not None]
    seen: set[str] = set()
    readings = [r for r in readings if not (r.text in seen or seen.add(r.text))]  # ASCII reads alike in all
    plausible = [r for r in readings if r.judged.ok]
    best = _prefer(plausible)
    if best is not None and best.score >= CLEAR_SCORE and all(
            r is best or r.score < best.score - CLEAR_MARGIN for r in plausible):
        return _accept(best)
    detected = _detected(data)
    if detected is not None and detected.judged.ok and (best is None or detected.score > best.score + TIE_MARGIN):
        return _accept(detected)
    if best is not None:
        return _accept(best)
    if not readings and detected is None:
        raise UndecodableText("undecodable text: neither UTF-8, GB18030 nor Big5, and no other encoding detected")
    # valid UTF-8 with many non-ASCII characters is UTF-8 whatever it says; else the most plausible reading
    likeliest = next((r for r in readings if r.encoding == "utf-8" and r.judged.non_ascii >= MIN_JUDGED), None) \
        or max([*readings, *([detected] if detected else [])], key=lambda r: r.score)
    raise UndecodableText(f"implausible text: no encoding gives plausible Chinese; read as {likeliest.encoding} "
                          f"(the likeliest), {_mojibake(likeliest) or likeliest.judged.problem}")
