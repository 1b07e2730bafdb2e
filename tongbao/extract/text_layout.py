"""Find tables in a plain-text bulletin: runs of tab-separated lines, with titles, units and notes.

A text layer keeps a table as one line per row with cells separated by tabs, and a table that
continues on the next page as a second run whose header repeats the first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..normalize.numbers import parse_number
from ..normalize.text import clean_label, squeeze_spaces
from .header_spans import expand_header
from .metadata import DATE_LINE
from .tables import RawCell, TableParts

ANNEX = re.compile(r"^\s*附\s*件\s*([0-9０-９一二三四五六七八九十]+)\s*$")
UNIT_LINE = re.compile(r"^\s*[（(]?\s*单位\s*[:：]\s*([^\s）)]+)\s*[）)]?\s*$")
NOTE_LINE = re.compile(r"^\s*(说明|注|备注)\s*[:：]")
PAGE_NUMBER = re.compile(r"^\s*[-—–]?\s*\d+\s*[-—–]?\s*$|^\s*第\s*\d+\s*页")
TITLE_MAX_CHARS = 60
TITLE_MAX_LINES = 3
NUMERIC_ROW_SHARE = 0.5
LONE_HEADER_MAX_CHARS = 30  # a longer tab-less line inside a header is prose, not a label
LONE_HEADER_MAX_ROWS = 3  # header rows of one label in a row, before the next row with tabs


@dataclass
class TextBlock:
    """A run of tab-separated lines and the line numbers around it."""

    first: int
    last: int
    rows: list[list[str]]


def find_blocks(lines: list[str]) -> list[TextBlock]:
    """Runs of consecutive lines that contain a tab; a single blank line does not end a run of rows
    of the same table, but two blank lines or any other text does."""
    blocks: list[TextBlock] = []
    i = 0
    while i < len(lines):
        if "\t" not in lines[i]:
            i += 1
            continue
        start = i
        rows = []
        while i < len(lines) and ("\t" in lines[i] or _lone_header_cell(lines, i, rows)):
            rows.append(lines[i].split("\t"))
            i += 1
        if len(rows) >= 2 or max(len(r) for r in rows) >= 3:
            blocks.append(TextBlock(start, i - 1, rows))
    return blocks


def _lone_header_cell(lines: list[str], i: int, rows: list[list[str]]) -> bool:
    """A header row of one label (a group written once over all the columns below it) has no tab:
    it belongs to the table when it stands between header rows, before any row of values, with a
    row of tabs a few short lines below."""
    if not rows or any(_is_data_row(r) for r in rows):
        return False
    for j in range(i, min(i + LONE_HEADER_MAX_ROWS, len(lines) - 1) + 1):
        line = lines[j].strip()
        if "\t" in lines[j]:
            return j > i
        if not 0 < len(line) <= LONE_HEADER_MAX_CHARS or PAGE_NUMBER.match(line) or ANNEX.match(line):
            return False
    return False


def _is_data_row(row: list[str]) -> bool:
    """Mostly numbers after the first cell (which names the row, or is blank for "same as above")."""
    cells = [c for c in row[1:] if c.strip()]
    if not cells:
        return False
    return sum(parse_number(c) is not None for c in cells) >= NUMERIC_ROW_SHARE * len(cells)


def split_header(rows: list[list[str]]) -> int:
    """Number of header rows: the rows before the first row that is mostly numbers."""
    for i, row in enumerate(rows):
        if _is_data_row(row):
            return i
    return min(1, len(rows))


def context_above(lines: list[str], first: int, stop: int) -> tuple[str | None, str | None, str | None]:
    """(title, annex, unit) from the short lines just above a table, not crossing line `stop`."""
    title_parts: list[str] = []
    annex = unit = None
    i = first - 1
    taken = 0
    while i > stop and taken < TITLE_MAX_LINES + 2:
        line = lines[i].strip()
        i -= 1
        if not line:
            continue
        if "\t" in line or PAGE_NUMBER.match(line) or DATE_LINE.match(line):
            break
        m_annex, m_unit = ANNEX.match(line), UNIT_LINE.match(line)
        if m_annex:
            annex = "附件" + clean_label(m_annex.group(1))
            break
        if m_unit:
            unit = clean_label(m_unit.group(1))
            continue
        if len(line) > TITLE_MAX_CHARS or line.endswith(("。", "：", ":", "；")) or len(title_parts) >= TITLE_MAX_LINES:
            break
        title_parts.insert(0, line)
        taken += 1
    title = squeeze_spaces("".join(title_parts)) if title_parts else None
    return title, annex, unit


CAPTION_WORDS = re.compile(r"(表|情况|统计|汇总|一览|明细|排名|排序|得分|分布)$")
HEADING = re.compile(r"^\s*([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.、．])")
CAPTION_MAX_CHARS = 40


def caption_below(lines: list[str], table_follows: bool) -> str | None:
    """A table's title printed under it, as some offices set it: the first line below, short, not a
    sentence, heading or note, ending as captions do (…情况, …统计表). Not when it is the only line
    before another table, whose title it then is."""
    text = [l.strip() for l in lines if l.strip() and not PAGE_NUMBER.match(l)]
    if not text or (table_follows and len(text) == 1):
        return None
    line = text[0]
    if "\t" in line or len(line) > CAPTION_MAX_CHARS or re.search(r"[。，；：:;]", line) or HEADING.match(line) \
            or NOTE_LINE.match(line) or ANNEX.match(line) or DATE_LINE.match(line):
        return None
    return squeeze_spaces(line) if CAPTION_WORDS.search(line) else None


def notes_below(lines: list[str], last: int) -> list[str]:
    """Lines such as "说明：…" printed right under a table."""
    notes = []
    for line in lines[last + 1:last + 4]:
        if NOTE_LINE.match(line):
            notes.append(line.strip())
        elif line.strip():
            break
    return notes


def has_text_between(lines: list[str], a: int, b: int) -> bool:
    """Any line between two blocks other than blanks and page numbers."""
    return any(l.strip() and not PAGE_NUMBER.match(l) for l in lines[a + 1:b])


def table_parts(lines: list[str]) -> list[tuple[TextBlock, TableParts, bool]]:
    """Every table block as TableParts, with whether it may continue the block before it."""
    out = []
    previous_last = -1
    blocks = find_blocks(lines)
    for block in blocks:
        n_header = split_header(block.rows)
        rows = block.rows[n_header:]
        width = max((len(r) - next((i for i, c in enumerate(reversed(r)) if c.strip()), len(r)) for r in rows), default=0)
        header = expand_header(block.rows[:n_header], rows, width)
        body = [[RawCell(c) for c in row] for row in rows]
        title, annex, unit = context_above(lines, block.first, previous_last)
        if title is None:
            nxt = next((b.first for b in blocks if b.first > block.last), len(lines))
            title = caption_below(lines[block.last + 1:nxt], nxt < len(lines))
        adjacent = previous_last >= 0 and not has_text_between(lines, previous_last, block.first)
        out.append((block, TableParts(header=header, body=body, title=title, annex=annex, unit=unit,
                                      notes=notes_below(lines, block.last), method="text",
                                      method_reason="tab-separated text layer"), adjacent))
        previous_last = block.last
    return out
