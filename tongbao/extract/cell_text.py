"""A cell's wrapped lines joined into its text, the same way for every format's reader."""
from __future__ import annotations

import re

ASCII_WORD = re.compile(r"[A-Za-z0-9]")
NUMBER_PART = re.compile(r"[0-9][0-9.,]*%?")  # a piece of a number a wrap may split
OPENING, CLOSING = "(（", ")）"


def join_lines(lines) -> str:
    """A cell's lines (paragraphs, <br>) joined: nothing between Chinese characters, a space between
    ASCII words, nothing inside a number a narrow cell wrapped ("966" / "186" → 966186)."""
    out = ""
    for part in (p.strip() for p in lines):
        if not part:
            continue
        if out and ASCII_WORD.match(out[-1]) and ASCII_WORD.match(part[0]) \
                and not (NUMBER_PART.fullmatch(_last_token(out)) and NUMBER_PART.fullmatch(part.split()[0])):
            out += " "
        out += part
    return out


def _last_token(text: str) -> str:
    return text.split()[-1] if text.split() else ""


def open_brackets(text: str) -> int:
    """How many brackets the text opens and does not close: a cell's text cut at a cell or page edge."""
    return sum(text.count(b) for b in OPENING) - sum(text.count(b) for b in CLOSING)
