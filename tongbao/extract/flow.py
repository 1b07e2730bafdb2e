"""The ordered flow shared by the office readers: lines and tables in reading order → a Document."""
from __future__ import annotations


from ..model import Document
from .document import fill_document
from .tables import TableParts
from .text_layout import caption_below, context_above, notes_below


def table_text(parts: TableParts) -> str:
    """A table as a text layer gives it: rows of tab-separated cells."""
    rows = ["\t".join(r).rstrip("\t") for r in parts.header]
    rows += ["\t".join(c.text for c in r).rstrip("\t") for r in parts.body]
    return "\n".join(r for r in rows if r.strip())


SEPARATE = None  # an item that keeps the tables on either side apart (another sheet, another text box)


def flow_document(doc: Document, items: list) -> Document:
    """Fill `doc` from the body in reading order: `str` items are narrative lines, `TableParts` tables,
    `SEPARATE` (None) a boundary two tables must not be joined across.

    Title, annex and unit of a table come from the lines just above it (a value the reader already
    set is kept), notes from the lines just below; a table with nothing but blank lines between it
    and the table before may continue it (`merge_continued` joins them when the header repeats or
    is missing).
    """
    chunks: list[str] = []
    length = 0
    narrative: list[tuple[int, int]] = []
    parts: list[tuple[TableParts, bool]] = []
    table_at = [i for i, it in enumerate(items) if isinstance(it, TableParts)]
    previous_table = -1
    for i, item in enumerate(items):
        if isinstance(item, TableParts):
            above = [l for l in items[previous_table + 1:i] if isinstance(l, str)]
            nxt = next((j for j in table_at if j > i), len(items))
            below = [l for l in items[i + 1:nxt] if isinstance(l, str)]
            title, annex, unit = context_above(above, len(above), -1)
            item.title = item.title or title or caption_below(below, nxt < len(items))
            item.annex = item.annex or annex
            item.unit = item.unit or unit
            item.notes = item.notes or notes_below([""] + below, 0)
            between = items[previous_table + 1:i]
            adjacent = bool(parts) and not any(l is SEPARATE or l.strip() for l in between)
            text = table_text(item)
            if text:
                chunks.append(("\n" if length else "") + text)
                length += len(chunks[-1])
            parts.append((item, adjacent))
            previous_table = i
            continue
        if item is SEPARATE:
            continue
        line = item.strip()
        if not line:
            continue
        start = length
        chunks.append(("\n" if length else "") + line)
        length += len(chunks[-1])
        if narrative and narrative[-1][1] == start:
            narrative[-1] = (narrative[-1][0], length)
        else:
            narrative.append((start, length))
    fill_document(doc, "".join(chunks) + "\n", parts, narrative)
    doc.n_pages = None
    return doc
