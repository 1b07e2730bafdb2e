"""Read a PDF bulletin with a text layer: ruled tables (pdfplumber), narrative lines and page numbers.

pdfminer (through pdfplumber) opens the file, which tells damaged and encrypted files apart; PDFium
then parses each page's characters and lines (pdf_objects.py), which pdfplumber's table finder and
text-line grouping read as their own. Pages are read one at a time and their caches flushed, so
memory stays flat on long files. Each page becomes a top-to-bottom list of narrative lines and
tables, assembled into the document by pdf_pages.py.
"""
from __future__ import annotations

import bisect
import io
import os
import re

import pdfplumber
from pdfplumber.page import DerivedPage

from .. import limits
from ..errors import ExtractionError
from ..normalize.numbers import parse_number
from ..model import Document
from ..pdfium_fonts import MISSING_FONT_REASON, keep_until_next, use_bundled_fonts
from ..pdfium_lock import PDFIUM_LOCK
from .geometry import gaps, group_lines
from .cell_text import CLOSING, join_lines, open_brackets
from .document import fill_document
from .pdf_pages import Line, PageContent, PageTable, build_document
from .pdf_camelot import CamelotReader, choose, needs_second_opinion
from .pdf_fonts import page_descents
from .pdf_objects import open_document, page_objects, readable
from .pdf_lineless import METHOD as LINELESS_METHOD, find_lineless_tables, label_runs
from .tables import RawCell, TableParts
from .text_layout import PAGE_NUMBER, split_header

METHOD = "pdfplumber"
ENGINE_ENV = "TONGBAO_PDF_ENGINE"  # "pdfium" (default): PDFium reads each page's objects; "pdfminer": pdfplumber's own parse
ENGINES = ("pdfium", "pdfminer")
LINES_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
MIN_ROWS, MIN_COLS = 2, 2  # smaller "tables" are stray boxes, not tables
RULE_X_TOLERANCE = 2.0  # points: horizontal rules of one table start and end at the same x
MIN_RULES = 3  # a horizontally ruled table has at least a top rule, a header rule and a bottom rule
MIN_RULE_WIDTH_SHARE = 0.3  # of the page width: shorter rules are underlines, not table rules
MIN_COLUMN_GAP = 4.0  # points of empty x between columns of a table without vertical rules
SCANNED_PAGE_SHARE = 0.5  # a page without text whose largest image covers this much of it is a scan
SENTENCE_MARK = re.compile(r"[，。；]")  # prose punctuation: a table cell hardly ever holds two
MAX_SENTENCE_MARKS = 2
MIN_BODY_BANDS = 2  # a table ruled under every row has at least two bands of rows below its header
LABEL_EDGE_SLACK = 0.5  # points: an edge this close to a label's end does not cut it
MIN_STACKED_LINES = 3  # lines of numbers in one cell that are rows stacked, not a number wrapped
_BREAKABLE = re.compile(r"[\u3400-\u9fff\s]")  # a line may break before a CJK ideograph or after a space


# ---------------------------------------------------------------- opening


def open_pdf(data: bytes) -> pdfplumber.PDF:
    """Open the bytes with pdfplumber (an empty user password is tried by default)."""
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pdf.pages  # noqa: B018 - forces the page tree to be read, so a broken one fails here
        return pdf
    except Exception as exc:  # pdfminer raises many types for damaged files
        raise _open_error(exc) from exc


def _open_error(exc: Exception) -> ExtractionError:
    """The reason a PDF could not be opened: a password, or damage."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if "Password" in type(inner).__name__ or "password" in str(inner).lower():
        return ExtractionError("encrypted PDF: a password is required")
    return ExtractionError(f"corrupt PDF: {type(inner).__name__}: {inner}".rstrip(": "))


# ---------------------------------------------------------------- cell text


def join_cell_lines(text: str | None) -> str:
    """Join a cell's wrapped lines: no space between Chinese characters, one between ASCII words."""
    return join_lines((text or "").split("\n"))


# ---------------------------------------------------------------- tables on a page


def _grid(table, page_number: int, chars: list[dict], texts: list[list[str | None]]) -> list[list[RawCell]]:
    """The table's rows as RawCells with their bboxes (`texts`: cell_texts of the table); a merged
    cell's continuation is an empty cell placed at its row and column."""
    columns = _column_spans(table)
    rows = []
    for row, texts in zip(table.rows, texts):
        recut = _recut_merged_row(row, columns, chars)
        if recut is not None:
            rows.append([RawCell(join_cell_lines(text), page_number, x0, row.bbox[1], x1, row.bbox[3])
                         for text, (x0, x1) in recut])
            continue
        out = []
        for c, (bbox, text) in enumerate(zip(row.cells, texts)):
            if bbox is None:
                x0, x1 = columns.get(c, (row.bbox[0], row.bbox[2]))
                bbox, text = (x0, row.bbox[1], x1, row.bbox[3]), ""
            out.append(RawCell(join_cell_lines(text), page_number, bbox[0], bbox[1], bbox[2], bbox[3]))
        rows.append(_rebalance_brackets(out))
    return rows


def _recut_merged_row(row, columns: dict[int, tuple[float, float]], chars: list[dict]) -> list[tuple[str, tuple[float, float]]] | None:
    """A row drawn as one cell across the table (rules between the columns only in the header, as
    around a shaded header with an outer border) whose text stands in several columns: its text cut
    at the columns' edges, as (text, (x0, x1)) per column; None for a real merged cell (a heading
    whose text stands in one column, or crosses an edge)."""
    cells = row.cells
    if len(cells) < 2 or cells[0] is None or any(c is not None for c in cells[1:]) or len(columns) < len(cells):
        return None
    spans = [columns[c] for c in range(len(cells))]
    x0, top, x1, bottom = cells[0]
    inside = [ch for ch in chars if x0 <= (ch["x0"] + ch["x1"]) / 2 < x1 and top <= (ch["top"] + ch["bottom"]) / 2 < bottom
              and ch["text"].strip()]
    by_col: dict[int, list[dict]] = {}
    for ch in inside:
        col = next((i for i, (a, b) in enumerate(spans) if a <= ch["x0"] and ch["x1"] <= b + 0.5), None)
        if col is None:
            return None  # a character across a column edge: one text over the row
        by_col.setdefault(col, []).append(ch)
    if len(by_col) < 2:
        return None
    return [(_text_of(by_col.get(i, [])), spans[i]) for i in range(len(spans))]


def _rebalance_brackets(row: list[RawCell]) -> list[RawCell]:
    """A closing bracket that starts a cell while the cell to its left has one open goes back there:
    in a narrow header cell, "值周情况(次)" can end in a ")" printed over the column rule, whose
    centre then falls on either side."""
    for left, cell in zip(row, row[1:]):
        if cell.text and cell.text[0] in CLOSING and open_brackets(left.text) > 0:
            left.text, cell.text = left.text + cell.text[0], cell.text[1:].lstrip()
    return row


def cell_texts(table, chars: list[dict]) -> list[list[str | None]]:
    """What pdfplumber's Table.extract() gives (a char belongs to the cell holding its centre; lines
    top to bottom joined by newlines), in one pass over the characters instead of one per row."""
    rows = table.rows
    tops = [r.bbox[1] for r in rows]
    found: dict[tuple[int, int], list[dict]] = {}
    for ch in chars:
        vm, hm = (ch["top"] + ch["bottom"]) / 2, (ch["x0"] + ch["x1"]) / 2
        i = bisect.bisect_right(tops, vm) - 1
        # a row's box includes its cells that span rows down, so rows above may hold the char too
        for r in range(i, -1, -1):
            bbox = rows[r].bbox
            if not (bbox[1] <= vm < bbox[3] and bbox[0] <= hm < bbox[2]):
                continue
            cell = next((c for c, cell in enumerate(rows[r].cells)
                         if cell is not None and cell[0] <= hm < cell[2] and cell[1] <= vm < cell[3]), None)
            if cell is not None:
                found.setdefault((r, cell), []).append(ch)
                break
    return [[None if cell is None else _text_of(found.get((r, c), [])) for c, cell in enumerate(row.cells)]
            for r, row in enumerate(rows)]


def _text_of(chars: list[dict], tolerance: float = 3.0) -> str:
    """Characters as lines of text: clustered by top, left to right, a space where a gap is wider
    than `tolerance` (pdfplumber's default x and y tolerances)."""
    if not chars:
        return ""
    lines = group_lines(chars, lambda c: c["top"], lambda line, c: c["top"] - line[0]["top"] <= tolerance)
    out = []
    for line in lines:
        line.sort(key=lambda c: c["x0"])
        text, prev = "", None
        for ch in line:
            if prev is not None and ch["x0"] - prev["x1"] > tolerance and not text.endswith(" ") and ch["text"] != " ":
                text += " "
            text += ch["text"]
            prev = ch
        out.append(text.strip())
    return "\n".join(out)


def _column_spans(table) -> dict[int, tuple[float, float]]:
    """x extent of each column, from the narrowest cell found in it."""
    spans: dict[int, tuple[float, float]] = {}
    for row in table.rows:
        for c, bbox in enumerate(row.cells):
            if bbox is not None and (c not in spans or bbox[2] - bbox[0] < spans[c][1] - spans[c][0]):
                spans[c] = (bbox[0], bbox[2])
    return spans


def _parts_from_grid(grid: list[list[RawCell]], page_number: int, reason: str) -> TableParts:
    """Split a grid into header rows (before the first mostly-numeric row) and body rows."""
    n_header = split_header([[c.text for c in row] for row in grid])
    return TableParts(
        header=[[c.text for c in row] for row in grid[:n_header]], body=grid[n_header:],
        page_start=page_number, page_end=page_number, method=METHOD, method_reason=reason,
    )


def _usable(table) -> bool:
    return len(table.rows) >= MIN_ROWS and max((len(r.cells) for r in table.rows), default=0) >= MIN_COLS


def _numbers_only(line: str) -> bool:
    """A line of one or more numbers ("22.4", "22.4 23.6") and nothing else."""
    tokens = line.split()
    return bool(tokens) and all(len(t) <= 20 and parse_number(t) is not None for t in tokens)


def _degenerate(texts: list[list[str | None]]) -> bool:
    """A reading that put several printed rows into one (an outer border or three rules around a
    table without inner rules: each cell holds a column's worth of lines), or a paragraph between
    two rules into a cell. Two cells of one row each holding three or more lines of numbers are rows
    stacked, not numbers wrapped in narrow cells (which take two lines)."""
    for row in texts:
        stacked = tall = 0
        for text in row:
            lines = [line.strip() for line in (text or "").split("\n") if line.strip()]
            if len(SENTENCE_MARK.findall(text or "")) >= MAX_SENTENCE_MARKS:
                return True
            if len(lines) >= MIN_STACKED_LINES:
                tall += 1
                stacked += all(_numbers_only(line) for line in lines)
        if stacked >= 2 or (stacked and tall >= 2):  # numbers stacked beside other stacked cells (names)
            return True
    return False


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]], pad: float = 0.5) -> bool:
    """The object's centre lies in one of the boxes."""
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(b[0] - pad <= cx <= b[2] + pad and b[1] - pad <= cy <= b[3] + pad for b in boxes)


def _horizontal_rules(page, taken: list[tuple]) -> list[dict]:
    """Horizontal rules of the page outside the tables already found."""
    min_width = MIN_RULE_WIDTH_SHARE * float(page.width)
    return [e for e in page.horizontal_edges if e["x1"] - e["x0"] >= min_width and not _inside(e, taken)]


def _rule_bands(rules: list[dict]) -> list[tuple[float, float, list[float]]]:
    """Groups of rules sharing their x extent: (x0, x1, sorted distinct ys), at least MIN_RULES each."""
    groups: list[tuple[float, float, list[float]]] = []
    for e in sorted(rules, key=lambda e: (e["x0"], e["top"])):
        for g in groups:
            if abs(g[0] - e["x0"]) <= RULE_X_TOLERANCE and abs(g[1] - e["x1"]) <= RULE_X_TOLERANCE:
                g[2].append(e["top"])
                break
        else:
            groups.append((e["x0"], e["x1"], [e["top"]]))
    out = []
    for x0, x1, ys in groups:
        distinct = sorted({round(y, 1) for y in ys})
        if len(distinct) >= MIN_RULES:
            out.append((x0, x1, distinct))
    return out


def _column_edges(body: list[dict], every: list[dict], x0: float, x1: float) -> list[float]:
    """Column boundaries in the empty strips between the body's characters, placed where no
    character of the whole table (header included) is cut, when such a place exists."""
    all_spans = [(c["x0"], c["x1"]) for c in every]
    edges = [x0]
    for a, b in gaps([(c["x0"], c["x1"]) for c in body], MIN_COLUMN_GAP):
        inner = [(max(a, c), min(b, d)) for c, d in gaps(all_spans + [(x0 - 1, a), (b, x1 + 1)], 0)]
        inner = [g for g in inner if g[1] > g[0]]
        best = max(inner, key=lambda g: g[1] - g[0], default=(a, b))
        edges.append((best[0] + best[1]) / 2)
    return edges + [x1]


def _cuts_a_label(header: list[dict], edges: list[float]) -> bool:
    """A column edge through a header label's text: columns found from the body's gaps cannot head
    a group label that spans several of them."""
    for run in label_runs(header):
        a, b = min(c["x0"] for c in run), max(c["x1"] for c in run)
        if any(a + LABEL_EDGE_SLACK < e < b - LABEL_EDGE_SLACK for e in edges[1:-1]):
            return True
    return False


def _row_rules(page, x0: float, x1: float, ys: list[float]) -> list[float]:
    """Every horizontal rule within a table band, short ones (under one header cell) included."""
    inner = {round(e["top"], 1) for e in page.horizontal_edges
             if e["x0"] >= x0 - RULE_X_TOLERANCE and e["x1"] <= x1 + RULE_X_TOLERANCE and ys[0] <= e["top"] <= ys[-1]}
    return sorted(inner | set(ys))


def _horizontal_tables(page, page_number: int, taken: list[tuple]) -> list[PageTable]:
    """Tables ruled with horizontal lines only: rows between the rules, columns from text gaps."""
    found = []
    for x0, x1, ys in _rule_bands(_horizontal_rules(page, taken)):
        ys = _row_rules(page, x0, x1, ys)
        band_rows = list(zip(ys, ys[1:]))
        body_bands = band_rows[1:]  # the first band is the header
        if len(body_bands) < MIN_BODY_BANDS:
            continue  # three rules around a body (三线表), or one row under its header: read from text alignment
        every = [c for c in page.chars if x0 <= c["x0"] and c["x1"] <= x1 and ys[0] <= (c["top"] + c["bottom"]) / 2 <= ys[-1]]
        body = [c for c in every if any(a <= (c["top"] + c["bottom"]) / 2 <= b for a, b in body_bands)]
        in_body = {id(c) for c in body}
        edges = _column_edges(body, every, x0, x1)
        if len(edges) - 1 < MIN_COLS or _cuts_a_label([c for c in every if id(c) not in in_body], edges):
            continue  # a group label wider than its column: the text-alignment reader reads its spans
        settings = {"vertical_strategy": "explicit", "horizontal_strategy": "explicit",
                    "explicit_vertical_lines": edges, "explicit_horizontal_lines": ys}
        for table in page.find_tables(settings):
            if not _usable(table):
                continue
            texts = cell_texts(table, page.chars)
            if _degenerate(texts):
                continue
            parts = _parts_from_grid(_grid(table, page_number, page.chars, texts), page_number,
                                     "horizontal rules only: rows from rules, columns from text alignment")
            if len(parts.header) > 1:
                continue  # group labels over leaves: the text-alignment reader judges their spans by centring
            found.append(PageTable(parts, tuple(table.bbox)))
    return found


def page_tables(page, page_number: int) -> list[PageTable]:
    """Ruled tables (lines strategy), then tables ruled with horizontal lines only."""
    found = []
    if not page.edges:  # no lines or rects: nothing for the lines strategy to find
        return lineless_tables(page, page_number, [])
    chars = page.chars
    for table in page.find_tables(LINES_SETTINGS):
        texts = cell_texts(table, chars) if _usable(table) else None
        if texts is not None and not _degenerate(texts):
            parts = _parts_from_grid(_grid(table, page_number, chars, texts), page_number, "ruling lines (pdfplumber lines strategy)")
            found.append(PageTable(parts, tuple(table.bbox)))
    taken = [t.bbox for t in found]
    for extra in _horizontal_tables(page, page_number, taken):
        found.append(extra)
    found += lineless_tables(page, page_number, [t.bbox for t in found])
    return found


def lineless_tables(page, page_number: int, taken: list[tuple]) -> list[PageTable]:
    """Tables without ruling lines among the characters outside the tables already found; skipped
    when no digit is left (a table of numbers has at least one)."""
    rest = [c for c in page.chars if not _inside(c, taken)] if taken else page.chars
    if not any(c["text"].isdigit() for c in rest):
        return []
    out = []
    for t in find_lineless_tables(rest, page_number):
        parts = TableParts(header=t.header, body=t.body, page_start=page_number, page_end=page_number,
                           method=LINELESS_METHOD,
                           method_reason=f"no ruling lines: {len(t.body)} rows of aligned numbers, "
                                         f"{len(t.body[0])} columns from empty x strips, {len(t.header)} header rows from stacked text")
        out.append(PageTable(parts, t.bbox))
    return out


# ---------------------------------------------------------------- narrative lines


def _table_boxes(page, tables: list[PageTable]) -> list[tuple[float, float, float, float]]:
    return [(0, t.top, float(page.width), t.bottom) for t in tables]


def narrative_lines(page, page_number: int, boxes: list[tuple]) -> list[Line]:
    """Text lines of the page outside its tables, without page numbers."""
    outside = page.filter(lambda o: o.get("object_type") != "char" or not _inside(o, boxes)) if boxes else page
    lines = []
    for ln in outside.extract_text_lines(return_chars=True, strip=True):
        text = ln["text"]
        if not text or PAGE_NUMBER.match(text):
            continue
        chars = ln.get("chars", [])
        size = max((c.get("size", 0) for c in chars), default=0)
        lines.append(Line(text, page_number, ln["x0"], ln["x1"], ln["top"], ln["bottom"], size, _lead_width(chars)))
    return lines


def _lead_width(chars: list[dict]) -> float:
    """Width of the run a line cannot be broken inside at its start: the first character and every
    following one that is not a CJK ideograph or space (digits, Latin, punctuation)."""
    if not chars:
        return 0.0
    end = chars[0]["x1"]
    for c in chars[1:]:
        if _BREAKABLE.match(c["text"]):
            break
        end = c["x1"]
    return end - chars[0]["x0"]


def image_share(page) -> float:
    """The share of the page's area its largest image covers."""
    area = float(page.width) * float(page.height) or 1.0
    return max((float(i["x1"] - i["x0"]) * float(i["bottom"] - i["top"]) / area for i in page.images), default=0.0)


def read_page(page, page_number: int) -> PageContent:
    """One page as narrative lines and tables, top to bottom (a page without text: how much of it
    is an image, to tell a scanned page from a blank one)."""
    content = PageContent(page_number, n_chars=len(page.chars), height=float(page.height))
    if not content.n_chars:
        content.image_share = image_share(page)
        return content
    tables = page_tables(page, page_number)
    lines = narrative_lines(page, page_number, _table_boxes(page, tables))
    content.items = sorted(lines + tables, key=lambda it: it.top)
    return content


def engine() -> str:
    """Which parser reads page objects: TONGBAO_PDF_ENGINE, else PDFium."""
    name = os.environ.get(ENGINE_ENV, ENGINES[0]).strip().lower() or ENGINES[0]
    if name not in ENGINES:
        raise ExtractionError(f"{ENGINE_ENV}={name!r}: choose one of {', '.join(ENGINES)}")
    return name


class PdfiumPage(DerivedPage):
    """A pdfplumber page whose objects PDFium read: pdfplumber's table finder and text lines work on
    it as on the page pdfminer would have parsed, at a fraction of the cost."""

    def __init__(self, parent, objects: dict[str, list[dict]]):
        self.bbox = parent.bbox
        super().__init__(parent)
        self._pdfium_objects = objects

    @property
    def objects(self) -> dict[str, list[dict]]:
        return self._pdfium_objects


def _fast_pages(pdf, data: bytes | None):
    """PDFium's document when it opens the same pages pdfminer did (else None: pdfminer reads all)."""
    if data is None or engine() != "pdfium":
        return None
    fast = open_document(data)
    if fast is not None and len(fast) != len(pdf.pages):
        fast.close()
        return None
    return fast


def _with_pdfium_objects(page, fast, index: int, fonts: dict | None = None):
    """The page with PDFium's objects, or the page itself where PDFium's coordinates would differ."""
    if fast is None:
        return page
    with PDFIUM_LOCK:
        other = fast[index]
        try:
            if not readable(other, (float(page.width), float(page.height))) or tuple(page.bbox[:2]) != (0, 0):
                return page
            objects = page_objects(other, page.page_number, float(page.height), page.initial_doctop,
                                   page_descents(page, fonts))
            return PdfiumPage(page, objects)
        finally:
            other.close()


def read_pages(pdf, data: bytes | None = None) -> list[PageContent]:
    """Every page, read and released one at a time; with the file's bytes, PDFium reads the objects
    (see pdf_objects), otherwise pdfminer does."""
    pages = []
    fast = _fast_pages(pdf, data)
    fonts: dict = {}  # the document's fonts' declared descents, read once
    try:
        for number, page in enumerate(pdf.pages, start=1):
            try:
                pages.append(read_page(_with_pdfium_objects(page, fast, number - 1, fonts), number))
            except ExtractionError:
                raise
            except Exception as exc:  # a damaged content stream, or a reader bug: the row says which page
                raise ExtractionError(f"page {number} could not be read: {type(exc).__name__}: {exc}") from exc
            finally:
                page.close()
    finally:
        if fast is not None:
            with PDFIUM_LOCK:
                keep_until_next(fast)
    return pages


def second_opinions(data: bytes, pages: list[PageContent]) -> None:
    """Ruled tables pdfplumber read poorly are read again by camelot lattice; the better reading stays."""
    reader = None
    try:
        for page in pages:
            for item in page.items:
                if isinstance(item, PageTable) and item.parts.method == METHOD and needs_second_opinion(item.parts):
                    reader = reader or CamelotReader(data)
                    other = reader.parts_for(page.number, page.height, item.bbox)
                    item.parts = choose(item.parts, other)
    finally:
        if reader is not None:
            reader.__exit__(None, None, None)


def read_pdf(data: bytes, doc: Document, second_opinion: bool = True) -> Document:
    """Fill `doc` from the bytes of a PDF with a text layer (`second_opinion`: let camelot re-read
    ruled tables that pdfplumber read poorly)."""
    if not use_bundled_fonts():
        raise ExtractionError(MISSING_FONT_REASON)
    pdf = open_pdf(data)
    try:
        if not pdf.pages:
            raise ExtractionError("PDF has no pages")
        limits.check("too many pages", len(pdf.pages), "pages")
        limits.check("page too large: points on its longer side",
                     int(max(max(float(p.width), float(p.height)) for p in pdf.pages)), "page_points")
        pages = read_pages(pdf, data)
    finally:
        pdf.close()
    if not any(p.n_chars for p in pages):
        from .ocr import NO_OCR_REASON, maybe_ocr  # optional engine: None when it is not installed
        if maybe_ocr(data, doc) is None:
            raise ExtractionError(NO_OCR_REASON)
        return doc
    scanned = [p.number for p in pages if not p.n_chars and p.image_share >= SCANNED_PAGE_SHARE]
    if scanned:
        from .ocr import read_scanned_pages
        pages = read_scanned_pages(data, pages, scanned, doc)
    if second_opinion:
        second_opinions(data, pages)
    built = build_document(pages)
    doc.n_pages = len(pages)
    doc.page_offsets = built.page_offsets
    fill_document(doc, built.text(), built.parts, built.narrative)
    doc.n_pages = len(pages)
    return doc
