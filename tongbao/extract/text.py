"""Read a plain-text bulletin, with tables as tab-separated lines.

The encoding (UTF-8, GB18030/GBK, Big5, UTF-16/32) is detected, and mojibake refused, by encoding.py."""
from __future__ import annotations

from .. import limits
from ..model import Document
from .document import fill_document
from .encoding import decode_text
from .text_layout import table_parts


def narrative_ranges(lines: list[str], blocks) -> list[tuple[int, int]]:
    """Character ranges of the text outside table blocks."""
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    ranges, cursor = [], 0
    for block in blocks:
        ranges.append((cursor, starts[block.first]))
        cursor = starts[block.last + 1]
    ranges.append((cursor, starts[-1]))
    return [(a, b) for a, b in ranges if b > a]


def read_text(data: bytes, doc: Document) -> Document:
    """Fill `doc` from the bytes of a text bulletin."""
    text, encoding = decode_text(data)
    limits.check("text too long: characters", len(text), "text_chars")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    found = table_parts(lines)
    parts = [(parts, adjacent) for _, parts, adjacent in found]
    fill_document(doc, text, parts, narrative_ranges(lines, [b for b, _, _ in found]))
    doc.n_pages = None
    return doc
