"""PDF pages, read from the text layer or by OCR, as narrative lines and tables, and their
assembly into one document: paragraphs rebuilt across line and page breaks, tables with the title,
annex and notes printed around them, a table continued on the next page marked for joining."""
from __future__ import annotations

from dataclasses import dataclass, field

from .cell_text import ASCII_WORD
from .flow import table_text
from .tables import TableParts
from .text_layout import caption_below, context_above, notes_below

SIZE_TOLERANCE = 0.6  # points: lines of one paragraph share a font size
RIGHT_EDGE_TOLERANCE = 1.5  # font sizes: a line this close to the right edge was wrapped
CENTRE_TOLERANCE = 0.5  # font sizes: how far a centred line's middle may be from the text block's
MAX_INDENT = 4.0  # font sizes: a paragraph's first line is indented two; a line starting further right was set apart
SENTENCE_END = ("。", "！", "？", "：", "；", "!", "?", ":", ";")


@dataclass
class Line:
    """A narrative line of a page, with where it was printed and its font size."""

    text: str
    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    lead: float = 0.0  # width of the line's first unbreakable run ("98.05%。"), to judge a wrap



@dataclass
class PageTable:
    """A table found on a page: its parts (without context yet) and its vertical extent."""

    parts: TableParts
    bbox: tuple[float, float, float, float]

    @property
    def top(self) -> float:
        return self.bbox[1]

    @property
    def bottom(self) -> float:
        return self.bbox[3]


@dataclass
class PageContent:
    """What one page holds, top to bottom: narrative lines and tables."""

    number: int
    items: list = field(default_factory=list)  # Line | PageTable, sorted by top
    n_chars: int = 0
    height: float = 0.0
    image_share: float = 0.0  # of the page's area, covered by its largest image (a scan: most of it)


def text_block(pages: list[PageContent]) -> TextBlock:
    """The text block's edges: the smallest x0 and largest x1 of the narrative lines."""
    lines = [it for p in pages for it in p.items if isinstance(it, Line)]
    return TextBlock(min((l.x0 for l in lines), default=0.0), max((l.x1 for l in lines), default=0.0))


@dataclass
class TextBlock:
    """The left and right edges of the page's text block (largest extent of narrative lines)."""

    left: float
    right: float

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


def _centred(line: Line, block: TextBlock) -> bool:
    """The line is centred in the text block: its left and right margins agree within one size."""
    return abs((line.x0 + line.x1) / 2 - block.centre) <= CENTRE_TOLERANCE * max(line.size, 1.0)


def continues_paragraph(prev: Line, line: Line, block: TextBlock) -> bool:
    """`line` goes on the paragraph of `prev`: prev was wrapped at the right edge mid-sentence, in the
    same font size (or ended short only because `line`'s first run did not fit), and `line` starts at
    the left edge (not indented) or both are centred (a title). A line starting far right of the left
    edge (a right-aligned signature or date) was not wrapped, however far right it ends."""
    tol = RIGHT_EDGE_TOLERANCE * max(prev.size, 1.0)
    if prev.text.endswith(SENTENCE_END) or abs(prev.size - line.size) > SIZE_TOLERANCE:
        return False
    if prev.x1 < block.right - tol and prev.x1 + line.lead <= block.right - 0.5 * max(prev.size, 1.0):
        return False  # ends short, and the next line's first run would have fitted: not a wrap
    centred = _centred(line, block) and _centred(prev, block)
    if prev.x0 > block.left + MAX_INDENT * max(prev.size, 1.0) and not centred:
        return False
    return line.x0 <= block.left + tol or centred


class _Builder:
    """Accumulates the document text, narrative ranges, page offsets and table parts."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.length = 0
        self.narrative: list[tuple[int, int]] = []
        self.page_offsets: list[int] = []
        self.parts: list[tuple[TableParts, bool]] = []
        self.open_line: Line | None = None  # last line of the paragraph being written
        self.text_since_table = True

    def write(self, text: str, narrative: bool) -> None:
        start = self.length
        self.chunks.append(text)
        self.length += len(text)
        if narrative and text.strip():
            if self.narrative and self.narrative[-1][1] == start:
                self.narrative[-1] = (self.narrative[-1][0], self.length)
            else:
                self.narrative.append((start, self.length))

    def line(self, line: Line, block: TextBlock) -> None:
        prev = self.open_line
        if prev is not None and continues_paragraph(prev, line, block):
            last = self.chunks[-1] if self.chunks else ""
            sep = " " if last and ASCII_WORD.match(last[-1]) and ASCII_WORD.match(line.text[0]) else ""
            self.write(sep + line.text, True)
        else:
            self.write(("\n" if self.length else "") + line.text, True)
        self.open_line = line
        self.text_since_table = True

    def table(self, parts: TableParts) -> None:
        self.write(("\n" if self.length else "") + table_text(parts), False)
        self.parts.append((parts, not self.text_since_table and bool(self.parts)))
        self.open_line = None
        self.text_since_table = False

    def text(self) -> str:
        return "".join(self.chunks) + "\n"


def _context(page: PageContent, index: int, parts: TableParts, next_page: PageContent | None = None) -> None:
    """Title, annex and unit from the lines above the table on its page; notes from the lines below;
    a caption printed under the table, on its page or, when the table ends the page, atop the next."""
    above: list[str] = []
    for it in reversed(page.items[:index]):
        if isinstance(it, PageTable):
            break
        above.insert(0, it.text)
    below = []
    table_follows = False
    for it in page.items[index + 1:]:
        if isinstance(it, PageTable):
            table_follows = True
            break
        below.append(it.text)
    parts.title, parts.annex, parts.unit = context_above(above, len(above), -1)
    if parts.title is None and not below and not table_follows and next_page is not None:
        for it in next_page.items:
            if isinstance(it, PageTable):
                table_follows = True
                break
            below.append(it.text)
    if parts.title is None:
        parts.title = caption_below(below, table_follows)
    parts.notes = notes_below([""] + below, 0)


def build_document(pages: list[PageContent]) -> _Builder:
    """Walk the pages in order, writing paragraphs and tables and recording where each page starts."""
    out = _Builder()
    block = text_block(pages)
    for number, page in enumerate(pages):
        out.page_offsets.append(out.length)
        for index, item in enumerate(page.items):
            if isinstance(item, PageTable):
                _context(page, index, item.parts, pages[number + 1] if number + 1 < len(pages) else None)
                out.table(item.parts)
            else:
                out.line(item, block)
    return out
