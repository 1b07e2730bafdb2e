"""Bulletin specs: what a fixture bulletin says, as plain data, so tests can render it and compare.

A spec is the expected output of extraction; `spec_to_dict`/`spec_from_dict` keep it as JSON/YAML
beside the rendered fixture, and `spec_to_text` writes it the way a PDF text layer reads (tabs).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class HeaderCell:
    """One header cell; colspan/rowspan > 1 make it a merged cell."""

    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class TableSpec:
    """One table: multi-level header, body rows as printed strings, and how it is ruled."""

    title: str
    annex: str | None  # e.g. "附件1"; None puts the table inline in the body text
    header: list[list[HeaderCell]]  # header rows, top level first
    rows: list[list[str]]  # one string per leaf column, "" for a blank cell
    unit: str | None = None  # "单位：件" line above the table
    ruling: str = "full"  # "full" | "horizontal" | "three-line" (top, under the header, bottom) | "outer" (a box, a rule under the header) | "none"
    note: str | None = None  # text under the table
    col_widths: list[float] | None = None  # relative widths of the leaf columns
    merge_blanks: bool = False  # draw a blank first-column cell as merged with the one above
    after_paragraph: int | None = None  # inline table: index of the paragraph it follows
    caption_below: bool = False  # the title printed under the table, as some offices do

    def header_grid(self) -> list[tuple[int, int, HeaderCell]]:
        """(row, col, cell) of every header cell, placed as HTML places cells with spans."""
        taken: set[tuple[int, int]] = set()
        out = []
        for r, row in enumerate(self.header):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                out.append((r, c, cell))
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, c + dc))
                c += cell.colspan
        return out

    @property
    def n_cols(self) -> int:
        """Number of leaf columns, from the header (or the widest body row if there is none)."""
        if self.header:
            return sum(cell.colspan for cell in self.header[0])
        return max((len(r) for r in self.rows), default=0)

    def leaf_paths(self) -> list[tuple[str, ...]]:
        """Header path of each leaf column, top level first; a cell spanning rows counts once."""
        paths: list[list[str]] = [[] for _ in range(self.n_cols)]
        for _r, c, cell in sorted(self.header_grid(), key=lambda t: (t[0], t[1])):
            if not cell.text:
                continue
            for dc in range(cell.colspan):
                if c + dc < len(paths):
                    paths[c + dc].append(cell.text)
        return [tuple(p) for p in paths]

    def filled_rows(self, col: int = 0) -> list[list[str]]:
        """Body rows with blank cells of column `col` filled from the row above ("same as above")."""
        out, last = [], ""
        for row in self.rows:
            row = list(row)
            if row[col] == "":
                row[col] = last
            last = row[col]
            out.append(row)
        return out


@dataclass
class BulletinSpec:
    """A whole bulletin: issuer, document number, title, date, narrative and tables."""

    issuer: str
    doc_number: str | None
    title: str
    issue_date: str  # "2022年9月9日"
    paragraphs: list[str]
    tables: list[TableSpec] = field(default_factory=list)
    signature: str | None = None
    red_header: str | None = None  # "XX市人民政府行政服务中心管委会文件"


def spec_to_dict(spec: BulletinSpec) -> dict:
    """Plain dict of a spec (JSON/YAML-able)."""
    return asdict(spec)


def spec_from_dict(data: dict) -> BulletinSpec:
    """Inverse of spec_to_dict; unknown keys are an error so typos in fixtures show up."""
    data = dict(data)
    tables = []
    for t in data.pop("tables", []):
        t = dict(t)
        t["header"] = [[HeaderCell(**c) for c in row] for row in t.get("header", [])]
        t["rows"] = [list(r) for r in t.get("rows", [])]
        tables.append(TableSpec(**t))
    return BulletinSpec(tables=tables, **data)


def table_to_text(table: TableSpec, written_once: bool = False) -> str:
    """A table as a PDF text layer gives it: header rows then body rows, cells tab-separated; with
    `written_once`, as many text layers and web pages give it, a merged header cell is written
    once, with no empty cells holding the places it spans."""
    lines = [line for line in (table.annex, None if table.caption_below else table.title, table.unit) if line]
    grid = table.header_grid()
    for r in range(len(table.header)):
        cells = [""] * table.n_cols
        for rr, c, cell in grid:
            if rr == r:
                cells[c] = cell.text
        if written_once:
            cells = [c for c in cells if c]
        lines.append("\t".join(cells).rstrip("\t"))
    lines += ["\t".join(row) for row in table.rows]
    if table.caption_below and table.title:
        lines.append(table.title)
    if table.note:
        lines.append(table.note)
    return "\n".join(lines)


def body_blocks(spec: BulletinSpec) -> list[tuple[str, object]]:
    """The bulletin body in reading order, shared by every renderer so all formats agree.

    Returns ("paragraph", str) and ("table", TableSpec) pairs: inline tables (annex None) follow the
    paragraph they name, or the last paragraph; annexed tables come after signature and date.
    """
    n = len(spec.paragraphs)
    inline = [t for t in spec.tables if t.annex is None]
    out: list[tuple[str, object]] = []
    for i, p in enumerate(spec.paragraphs):
        out.append(("paragraph", p))
        out += [("table", t) for t in inline if _position(t, n) == i]
    if n == 0:
        out += [("table", t) for t in inline]
    return out


def _position(t: TableSpec, n: int) -> int:
    """Index of the paragraph an inline table follows (the last one when not given)."""
    return n - 1 if t.after_paragraph is None else max(0, min(t.after_paragraph, n - 1))


def annex_tables(spec: BulletinSpec) -> list[TableSpec]:
    """Tables printed as annexes after the signature, in order."""
    return [t for t in spec.tables if t.annex is not None]


def spec_to_text(spec: BulletinSpec) -> str:
    """A bulletin as plain text in the layout of the seed .txt files (blank line between blocks)."""
    blocks = [b for b in (spec.red_header, spec.doc_number, spec.title) if b]
    for kind, item in body_blocks(spec):
        blocks.append(item if kind == "paragraph" else table_to_text(item))
    blocks += [b for b in (spec.signature, spec.issue_date) if b]
    blocks += [table_to_text(t) for t in annex_tables(spec)]
    return "\n\n" + "\n\n".join(blocks) + "\n"
