"""Read an Excel (.xlsx) bulletin: every visible worksheet's tables, with merged cells and printed numbers.

openpyxl opens the workbook in full mode (merged ranges are only known there) with the values
Excel cached for formulas. A sheet is cut into blocks at fully empty rows; in a block, the leading
rows holding a single text (the merged title row, "附件1", "单位：件") are the table's context and
the trailing single-text rows its notes, the rest is the table. A merged range keeps its text at
its top-left cell and gives "" where it continues, so merged header cells read as the header grid
`build_columns` expects, and a merged label cell in the body is filled from above by `assemble`.
Header rows are the sheet's print titles (the rows Excel repeats on each printed page) when set,
else the rows before the first mostly-numeric row.

Numbers are written as Excel prints them: with the cell's number format where it is a simple one
(0, 0.0, 0.00, #,##0.00, 0.00% …), so the printed precision that tolerance depends on survives;
General numbers at Excel's 15 significant digits.
"""
from __future__ import annotations

import io
import re
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..errors import ExtractionError
from .. import limits
from ..model import Document
from .docx import check_members, open_package
from .cell_text import join_lines
from .flow import SEPARATE, flow_document
from .tables import RawCell, TableParts
from .text_layout import ANNEX, NOTE_LINE, UNIT_LINE, context_above, split_header

METHOD = "xlsx"
_SIMPLE_NUMBER = re.compile(r"^(#,##)?0(?:\.(0+))?(%?)$")
_FORMAT_NOISE = re.compile(r'\[[^\]]*\]|"[^"]*"|\\.|_.|\*.|\s')
_DEFAULT_SHEET = re.compile(r"^(sheet|工作表)\s*\d+$", re.I)


# ---------------------------------------------------------------- values as printed


def _decimal(value: float | int) -> Decimal:
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def general(value: float | int) -> str:
    """A number in Excel's General format: integers whole, others at 15 significant digits."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.15g}"
    return text if "e" not in text else repr(value)


def format_number(value: float | int, number_format: str | None) -> str:
    """The number as Excel prints it with a simple format (0, 0.0, #,##0.00, 0.00% …), else General.
    Rounding is half away from zero, as Excel's."""
    fmt = (number_format or "General").split(";")[0]
    m = _SIMPLE_NUMBER.match(_FORMAT_NOISE.sub("", fmt))
    if not m:
        return general(value)
    thousands, decimals, percent = bool(m.group(1)), len(m.group(2) or ""), bool(m.group(3))
    try:
        d = _decimal(value) * (100 if percent else 1)
        d = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return general(value)
    if d == 0:
        d = abs(d)  # no "-0.0"
    text = f"{d:,}" if thousands else f"{d}"
    return text + ("%" if percent else "")


def cell_text(value, number_format: str | None) -> str:
    """A cell's value as printed text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return format_number(value, number_format)
    if isinstance(value, datetime):
        if value.time() == time(0):
            value = value.date()
        else:
            return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        if "年" in (number_format or ""):
            return f"{value.year}年{value.month}月{value.day}日"
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return join_lines(str(value).replace("\r", "\n").split("\n"))


# ---------------------------------------------------------------- a sheet as a grid


class SheetGrid:
    """The non-empty cells of a sheet as text, and its merged ranges."""

    def __init__(self, ws) -> None:
        self.name = ws.title
        self.text: dict[tuple[int, int], str] = {}
        cells = getattr(ws, "_cells", None)
        source = cells.values() if isinstance(cells, dict) else (c for row in ws.iter_rows() for c in row)
        self.hidden_rows, self.hidden_cols = hidden_rows, hidden_cols = _hidden(ws)
        for cell in source:
            if cell.value is None or cell.row in hidden_rows or cell.column in hidden_cols:
                continue  # hidden rows and columns are not printed
            text = cell_text(cell.value, cell.number_format)
            if text:
                self.text[(cell.row, cell.column)] = text
        self.merged: dict[tuple[int, int], tuple[int, int]] = {}  # covered cell → origin (row, col)
        last_row = max((r for r, _ in self.text), default=0)
        last_col = max((c for _, c in self.text), default=0)
        area = 0  # cells the merged ranges cover: a few huge ranges are a memory bomb
        for rng in ws.merged_cells.ranges:
            origin = (rng.min_row, rng.min_col)
            if origin not in self.text:
                continue  # a merged range without text is formatting only
            area += max(0, min(rng.max_row, last_row) - rng.min_row + 1) * max(0, min(rng.max_col, last_col) - rng.min_col + 1)
            limits.check("sheet too large once its merged ranges are expanded: cells", area, "grid_cells")
            for r in range(rng.min_row, min(rng.max_row, last_row) + 1):
                for c in range(rng.min_col, min(rng.max_col, last_col) + 1):
                    if (r, c) != origin:
                        self.merged[(r, c)] = origin
        self.rows: dict[int, list[int]] = {}
        for r, c in list(self.text) + list(self.merged):
            self.rows.setdefault(r, []).append(c)
        self.print_titles = _print_title_rows(ws)

    def texts(self, r: int) -> list[str]:
        """The texts of row r, left to right (merged continuations not counted)."""
        return [self.text[(r, c)] for c in sorted(self.rows.get(r, [])) if (r, c) in self.text]

    def blocks(self) -> list[list[int]]:
        """Runs of consecutive non-empty rows (a row inside a merged range with text is not empty)."""
        out: list[list[int]] = []
        for r in sorted(self.rows):
            if out and all(g in self.hidden_rows for g in range(out[-1][-1] + 1, r)):
                out[-1].append(r)
            else:
                out.append([r])
        return out

    def grid(self, rows: list[int]) -> tuple[list[list[str]], list[list[int | None]]]:
        """(text grid of the rows over their column span, origin row of each merged continuation)."""
        cols = [c for r in rows for c in self.rows.get(r, [])]
        span = [c for c in range(min(cols), max(cols) + 1) if c not in self.hidden_cols]
        grid, origin = [], []
        for r in rows:
            grid.append([self.text.get((r, c), "") for c in span])
            origin.append([self.merged[(r, c)][0] if (r, c) in self.merged else None for c in span])
        return grid, origin


def _hidden(ws) -> tuple[set[int], set[int]]:
    """Rows and columns hidden on the sheet."""
    rows = {r for r, dim in ws.row_dimensions.items() if dim.hidden}
    cols: set[int] = set()
    for dim in ws.column_dimensions.values():
        if dim.hidden and dim.min and dim.max and dim.max - dim.min < 16384:
            cols.update(range(dim.min, dim.max + 1))
    return rows, cols


def _print_title_rows(ws) -> tuple[int, int] | None:
    """The sheet's print-title rows (first, last), e.g. "1:3" → (1, 3)."""
    try:
        spec = ws.print_title_rows
    except Exception:  # noqa: BLE001 - a malformed defined name
        return None
    m = re.match(r"^\$?(\d+):\$?(\d+)$", (spec or "").strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


# ---------------------------------------------------------------- tables of a sheet


def _is_context(texts: list[str]) -> bool:
    """A row holding only a title, an annex label, a unit line or a note."""
    if len(texts) == 1:
        return True
    return len(texts) == 2 and any(ANNEX.match(t) or UNIT_LINE.match(t) for t in texts)


def _is_note(texts: list[str]) -> bool:
    return len(texts) == 1 and (bool(NOTE_LINE.match(texts[0])) or len(texts[0]) > 40)


def header_count(grid: list[list[str]], origin: list[list[int | None]], rows: list[int],
                 print_titles: tuple[int, int] | None) -> tuple[int, str]:
    """Header rows: the print titles when they fall in the table, else the rows before the first
    mostly-numeric row; a header cell merged down into later rows takes them too."""
    n, why = 0, ""
    if print_titles and print_titles[0] <= rows[0] <= print_titles[1]:
        n = sum(1 for r in rows if print_titles[0] <= r <= print_titles[1])
        why = "header rows are the sheet's print titles"
    if not 0 < n < len(grid):
        n, why = split_header(grid), "header rows before the first numeric row"
    while 0 < n < len(grid) and any(o is not None and o < rows[n] for o in origin[n]) and split_header([grid[n]]) != 0:
        n += 1
    return n, why


def sheet_items(sheet: SheetGrid) -> list:
    """The sheet's lines and tables in order, each table's title/annex/unit from the rows above it,
    the sheet name as title (and annex, when it is one) failing those."""
    items: list = []
    for block in sheet.blocks():
        texts = {r: sheet.texts(r) for r in block}
        first, last = 0, len(block)
        while first < last and _is_context(texts[block[first]]):
            first += 1
        while last > first and _is_note(texts[block[last - 1]]):
            last -= 1
        if last - first < 2:
            items += [" ".join(texts[r]) for r in block]
            continue
        items += [" ".join(texts[r]) for r in block[:first]]
        rows = block[first:last]
        grid, origin = sheet.grid(rows)
        n, why = header_count(grid, origin, rows, sheet.print_titles)
        above = [l for l in items if isinstance(l, str)]
        title, annex, unit = context_above(above, len(above), _last_table(items))
        if title is None and not _DEFAULT_SHEET.match(sheet.name.strip()):
            title = None if ANNEX.match(sheet.name) else sheet.name.strip()
        if annex is None and ANNEX.match(sheet.name):
            annex = "附件" + ANNEX.match(sheet.name).group(1)
        items.append(TableParts(
            header=[list(r) for r in grid[:n]], body=[[RawCell(t) for t in r] for r in grid[n:]],
            title=title, annex=annex, unit=unit, method=METHOD,
            method_reason=f"Excel sheet {sheet.name!r} rows {rows[0]}-{rows[-1]}: merged ranges expanded; {why}",
        ))
        items += [" ".join(texts[r]) for r in block[last:]]
    return items


def _last_table(items: list) -> int:
    """Index, among the str items, of the last line before the most recent table (-1 if none)."""
    count, stop = 0, -1
    for it in items:
        if isinstance(it, TableParts):
            stop = count - 1
        elif isinstance(it, str):
            count += 1
    return stop


# ---------------------------------------------------------------- reading


_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def check_merged_area(z) -> None:
    """Refuse a workbook whose merged ranges cover more cells than the grid limit, read from the
    sheets' XML before openpyxl (which makes an object for every merged cell) is given them."""
    area = 0
    for name in z.namelist():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            for c1, r1, c2, r2 in _MERGE_REF.findall(z.read(name)):
                area += (abs(int(r2) - int(r1)) + 1) * (abs(_column_number(c2) - _column_number(c1)) + 1)
            limits.check("workbook's merged ranges too large: cells", area, "grid_cells")


def open_workbook(data: bytes):
    z = open_package(data, "XLSX", "xl/workbook.xml")
    check_members(z, "XLSX")
    check_merged_area(z)
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises KeyError, ValueError, TypeError, lxml errors …
        raise ExtractionError(f"corrupt XLSX: {type(exc).__name__}: {exc}".rstrip(": ")) from exc


def read_xlsx(data: bytes, doc: Document) -> Document:
    """Fill `doc` from the bytes of an .xlsx workbook."""
    wb = open_workbook(data)
    try:
        items: list = []
        n_cells = 0
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            sheet = SheetGrid(ws)
            n_cells += len(sheet.text)
            limits.check("workbook too large: non-empty cells", n_cells, "grid_cells")
            items += [SEPARATE] + sheet_items(sheet)
    finally:
        wb.close()
    if not any(isinstance(i, str) or isinstance(i, TableParts) for i in items):
        raise ExtractionError("empty workbook: no visible sheet holds any value")
    return flow_document(doc, items)
