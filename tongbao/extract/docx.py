"""Read a Word (.docx) bulletin: paragraphs and Word tables in body order, merged cells from the XML.

The body is walked in order (paragraphs, tables, content controls, text boxes), so the document
text reads as the page does: paragraphs as lines, each table as tab-separated rows outside the
narrative ranges, as the text and PDF readers write them. A Word table becomes TableParts from its
XML grid: a horizontally merged cell (gridSpan, or the legacy hMerge) gives "" for the columns it
covers, and a vertically merged cell (vMerge) gives "" in the rows it continues into, so the header
grid is the one `build_columns` expects and a merged label cell in the body is filled from above by
`assemble` (and marked `filled_from_above`). Header rows are the rows marked to repeat on each page
(tblHeader), else the rows before the first mostly-numeric row.

`flow_document` (the ordered lines and tables → Document step) is shared with the HTML and XLSX
readers.
"""
from __future__ import annotations

import io
import zipfile

from ..errors import ExtractionError
from .. import limits
from ..model import Document
from .cell_text import join_lines
from .flow import flow_document
from .tables import RawCell, TableParts
from .text_layout import split_header

METHOD = "docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
P, TBL, TR, TC, SDT, SDT_CONTENT, CUSTOM_XML = (W + t for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent", "customXml"))
T, TAB, BR, CR, NO_BREAK_HYPHEN, TXBX = (W + t for t in ("t", "tab", "br", "cr", "noBreakHyphen", "txbxContent"))
TRPR, TCPR, GRID_SPAN, VMERGE, HMERGE, TBL_HEADER, GRID_BEFORE = (
    W + t for t in ("trPr", "tcPr", "gridSpan", "vMerge", "hMerge", "tblHeader", "gridBefore"))
VAL = W + "val"
NOT_SHOWN = {W + t for t in ("pPr", "rPr", "del", "moveFrom", "instrText", "delText")}  # properties, deleted text
MAX_SPAN = 1000  # a gridSpan larger than this is damage, not a layout
_OFF = ("0", "false", "off")


# ---------------------------------------------------------------- paragraphs


def _runs_text(el, out: list[str], boxes: list) -> None:
    """Text of a paragraph's runs in order; text boxes are collected apart, fallbacks skipped."""
    for child in el:
        tag = child.tag
        if tag == T:
            out.append(child.text or "")
        elif tag == TAB:
            out.append(" ")
        elif tag in (BR, CR):
            out.append("\n")
        elif tag == NO_BREAK_HYPHEN:
            out.append("-")
        elif tag == MC_FALLBACK:
            continue  # the same content as the mc:Choice beside it
        elif tag == TXBX:
            boxes.append(child)
        elif isinstance(tag, str) and tag not in NOT_SHOWN:
            _runs_text(child, out, boxes)


def paragraph_lines(p) -> tuple[list[str], list]:
    """(lines of the paragraph, text-box containers inside it)."""
    out: list[str] = []
    boxes: list = []
    _runs_text(p, out, boxes)
    return "".join(out).split("\n"), boxes


def _children(el):
    """Block children, looking through content controls and custom XML wrappers."""
    for child in el.iterchildren():
        if child.tag in (SDT, SDT_CONTENT, CUSTOM_XML):
            yield from _children(child)
        elif child.tag != W + "sdtPr" and child.tag != W + "sdtEndPr":
            yield child


def body_items(container) -> list:
    """Lines and tables of a body (or text box, or cell) in order."""
    items: list = []
    for child in _children(container):
        if child.tag == P:
            lines, boxes = paragraph_lines(child)
            for box in boxes:
                items.extend(body_items(box))
            items.extend(lines)
        elif child.tag == TBL:
            items.append(word_table(child))
    return items


# ---------------------------------------------------------------- tables


def _int(el, default: int = 1) -> int:
    try:
        return max(0, min(int(el.get(VAL)), MAX_SPAN)) if el is not None and el.get(VAL) is not None else default
    except ValueError:
        return default


def cell_text(tc) -> str:
    """A cell's paragraphs (and any table nested in it) joined into one line."""
    lines: list[str] = []
    for child in _children(tc):
        if child.tag == P:
            own, boxes = paragraph_lines(child)
            lines.extend(own)
        elif child.tag == TBL:
            for tr in _rows(child):
                lines.append(join_lines(cell_text(c) for c in _cells(tr)))
    return join_lines(lines)


def _rows(tbl):
    return (c for c in _children(tbl) if c.tag == TR)


def _cells(tr):
    return (c for c in _children(tr) if c.tag == TC)


def _flag(el) -> bool:
    return el is not None and (el.get(VAL) or "true").lower() not in _OFF


def word_grid(tbl) -> tuple[list[list[str]], list[bool], list[list[int | None]]]:
    """(text grid, rows marked as repeating header, origin row of each vertically continued cell).

    A merged cell's text stands at its top-left grid position; the positions it covers are "".
    """
    grid: list[list[str]] = []
    repeat: list[bool] = []
    origin: list[list[int | None]] = []
    open_rows: dict[int, int] = {}  # grid column → row where its vertical merge started
    for r, tr in enumerate(_rows(tbl)):
        trpr = tr.find(TRPR)
        row: list[str] = []
        orig: list[int | None] = []
        before = _int(trpr.find(GRID_BEFORE), 0) if trpr is not None else 0
        row += [""] * before
        orig += [None] * before
        for tc in _cells(tr):
            tcpr = tc.find(TCPR)
            span = max(1, _int(tcpr.find(GRID_SPAN) if tcpr is not None else None))
            vmerge = tcpr.find(VMERGE) if tcpr is not None else None
            hmerge = tcpr.find(HMERGE) if tcpr is not None else None
            col = len(row)
            if vmerge is not None and (vmerge.get(VAL) or "continue") == "continue":
                row += [""] * span
                orig += [open_rows.get(col, r)] * span
                continue
            if hmerge is not None and (hmerge.get(VAL) or "continue") == "continue":
                row += [""] * span
                orig += [None] * span
                continue
            for c in range(col, col + span):
                if vmerge is not None:
                    open_rows[c] = r
                else:
                    open_rows.pop(c, None)
            row += [cell_text(tc)] + [""] * (span - 1)
            orig += [None] * span
        grid.append(row)
        origin.append(orig)
        repeat.append(trpr is not None and _flag(trpr.find(TBL_HEADER)))
    width = max((len(r) for r in grid), default=0)
    for row, orig in zip(grid, origin):
        row += [""] * (width - len(row))
        orig += [None] * (width - len(orig))
    return grid, repeat, origin


def header_rows(grid: list[list[str]], repeat: list[bool], origin: list[list[int | None]]) -> tuple[int, str]:
    """How many rows head the table, and why: the rows Word repeats on each page, else the rows
    before the first mostly-numeric row; a header cell merged down into later rows takes them too."""
    marked = 0
    while marked < len(repeat) and repeat[marked]:
        marked += 1
    if 0 < marked < len(grid):
        n, why = marked, "header rows marked to repeat (tblHeader)"
    else:
        n, why = split_header(grid), "header rows before the first numeric row"
    while 0 < n < len(grid) and any(o is not None and o < n for o in origin[n]) and not _numeric_row(grid[n]):
        n += 1
    return n, why


def _numeric_row(row: list[str]) -> bool:
    return split_header([row]) == 0


def word_table(tbl) -> TableParts:
    """One Word table as TableParts (context is added by `flow_document`)."""
    grid, repeat, origin = word_grid(tbl)
    n, why = header_rows(grid, repeat, origin)
    return TableParts(
        header=[list(r) for r in grid[:n]], body=[[RawCell(t) for t in r] for r in grid[n:]],
        method=METHOD, method_reason=f"Word table: merged cells from gridSpan/vMerge; {why}",
    )


# ---------------------------------------------------------------- reading


def open_package(data: bytes, kind: str, main_part: str) -> zipfile.ZipFile:
    """The zip package, checked to be whole, small enough unzipped, and to hold `main_part`."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        names = set(z.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ExtractionError(f"corrupt {kind}: not a readable zip package ({exc})") from exc
    limits.check(f"{kind} too large when unzipped: bytes", sum(i.file_size for i in z.infolist()), "unzipped_bytes")
    if main_part not in names:
        other = "an Excel workbook" if "xl/workbook.xml" in names else "a Word document" if "word/document.xml" in names \
            else "an OpenDocument file" if "mimetype" in names else "some other zip archive"
        raise ExtractionError(f"corrupt {kind}: the zip package is {other}, not a {kind} (no {main_part})")
    return z


def check_members(z: zipfile.ZipFile, kind: str) -> None:
    """Every member decompresses with a good checksum: a truncated or damaged file fails here."""
    try:
        bad = z.testzip()
    except Exception as exc:  # noqa: BLE001 - zlib, struct and EOF errors alike
        raise ExtractionError(f"corrupt {kind}: damaged zip member ({type(exc).__name__}: {exc})") from exc
    if bad is not None:
        raise ExtractionError(f"corrupt {kind}: bad checksum in zip member {bad}")


def read_docx(data: bytes, doc: Document) -> Document:
    """Fill `doc` from the bytes of a .docx file."""
    z = open_package(data, "DOCX", "word/document.xml")
    check_members(z, "DOCX")
    import docx  # python-docx

    try:
        word = docx.Document(io.BytesIO(data))
        body = word.element.body
    except Exception as exc:  # noqa: BLE001 - python-docx raises KeyError, ValueError, lxml errors …
        raise ExtractionError(f"corrupt DOCX: {type(exc).__name__}: {exc}".rstrip(": ")) from exc
    return flow_document(doc, body_items(body))
