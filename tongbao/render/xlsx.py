"""Render a BulletinSpec's tables to an Excel workbook, one sheet per table, the way offices lay
them out: annex label, a title row merged across the table, a unit line, merged header cells (the
header rows set as print titles), body rows with numbers stored as numbers in a number format that
prints them as the spec does, and the note below."""
from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from .spec import BulletinSpec, TableSpec

_INT = re.compile(r"^-?(0|[1-9]\d{0,14})$")
_DEC = re.compile(r"^-?(0|[1-9]\d{0,12})\.(\d{1,6})$")
_PCT = re.compile(r"^(-?(?:0|[1-9]\d{0,6})(?:\.(\d{1,6}))?)%$")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def excel_value(text: str) -> tuple[object, str | None]:
    """(value, number format) for a printed cell: numbers stored as numbers whose format prints
    them back exactly ("14.8" → 14.8 with "0.0", "98.05%" → 0.9805 with "0.00%"), other text as text."""
    if _INT.match(text):
        return int(text), "0"
    m = _DEC.match(text)
    if m:
        return float(text), "0." + "0" * len(m.group(2))
    m = _PCT.match(text)
    if m:
        decimals = len(m.group(2) or "")
        return float(m.group(1)) / 100, ("0." + "0" * decimals if decimals else "0") + "%"
    return text, None


def sheet_name(table: TableSpec, index: int, taken: set[str]) -> str:
    """The annex label or title, cut to Excel's 31 characters without forbidden characters, unique."""
    base = _BAD_SHEET_CHARS.sub("", table.annex or table.title or f"表{index}")[:31] or f"表{index}"
    name, k = base, 2
    while name.lower() in taken:
        name = f"{base[:28]}({k})"
        k += 1
    taken.add(name.lower())
    return name


def write_table(ws, table: TableSpec, *, print_titles: bool = True) -> None:
    """One table on a worksheet, from row 1."""
    n = max(1, table.n_cols)
    r = 1
    if table.annex:
        ws.cell(r, 1, table.annex).font = Font(name="黑体", size=12)
        r += 1
    ws.cell(r, 1, table.title).font = Font(name="方正小标宋简体", size=16)
    ws.cell(r, 1).alignment = Alignment(horizontal="center")
    if n > 1:
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)
    r += 1
    if table.unit:
        ws.cell(r, n, table.unit).alignment = Alignment(horizontal="right")
        r += 1
    top = r
    for hr, hc, cell in table.header_grid():
        ws.cell(top + hr, hc + 1, cell.text).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if cell.colspan > 1 or cell.rowspan > 1:
            ws.merge_cells(start_row=top + hr, start_column=hc + 1,
                           end_row=top + hr + cell.rowspan - 1, end_column=hc + cell.colspan)
    r = top + len(table.header)
    if print_titles and table.header:
        ws.print_title_rows = f"{top}:{r - 1}"
    merge_from = None
    for i, row in enumerate(table.rows):
        for c, text in enumerate(row[:n]):
            if c == 0 and table.merge_blanks and text == "" and i > 0:
                merge_from = merge_from or r - 1
                continue
            if text:
                value, fmt = excel_value(text)
                cell = ws.cell(r, c + 1, value)
                if fmt:
                    cell.number_format = fmt
        if merge_from is not None and not (i + 1 < len(table.rows) and table.rows[i + 1][0] == ""):
            ws.merge_cells(start_row=merge_from, start_column=1, end_row=r, end_column=1)
            merge_from = None
        r += 1
    if table.note:
        ws.cell(r, 1, table.note)
        if n > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=n)


def render_xlsx(spec: BulletinSpec, path: str | Path, *, print_titles: bool = True) -> Path:
    """Write the tables of `spec` to an .xlsx at `path`, one sheet each, and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for i, table in enumerate(spec.tables, start=1):
        write_table(wb.create_sheet(sheet_name(table, i, taken)), table, print_titles=print_titles)
    if not spec.tables:
        wb.create_sheet("Sheet1")
    wb.properties.title = spec.title
    wb.properties.creator = spec.issuer
    wb.save(str(path))
    return path
