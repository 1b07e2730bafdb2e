"""Decode a text bulletin whose encoding is not declared: UTF-8 (with or without BOM) or GB18030/GBK."""
from __future__ import annotations

from ..errors import ExtractionError

CANDIDATES = ("utf-8-sig", "gb18030")
MAX_CONTROL_RATIO = 0.01  # above this share of control bytes the file is binary, not text


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters mean this is not a text file."""
    if b"\x00" in data[:65536]:
        return True
    sample = data[:65536]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > MAX_CONTROL_RATIO * max(1, len(sample))


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). UTF-8 is tried first since GB18030 accepts almost any bytes."""
    if not data.strip():
        raise ExtractionError("empty file: no text to read")
    if looks_binary(data):
        raise ExtractionError("binary content: not a text bulletin (NUL or control bytes found)")
    for enc in CANDIDATES:
        try:
            return data.decode(enc), ("utf-8" if enc == "utf-8-sig" else enc)
        except UnicodeDecodeError:
            continue
    raise ExtractionError("undecodable text: neither UTF-8 nor GB18030")
