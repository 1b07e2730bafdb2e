"""Turn a seed text bulletin (tables as tab-separated lines, as in corpus/*.txt) into a BulletinSpec,
so the seeds can be rendered as PDFs and read back by the PDF reader.

Generic by construction: the text reader's own layout rules find the table blocks, their header
rows, titles, annex labels, unit lines and notes; every other non-blank line is a paragraph, in
order. A table's header grid becomes HeaderCells whose "" continuation cells turn into colspans
(a label with content below spans right over the empty cells of its row) or rowspans (a label
with nothing below spans down). Body rows are kept as printed, padded to the widest row, so a
row that carries more values than the header has columns stays that way in the PDF.

A table block that continues the previous one (adjacent, same header) is joined to it: the text
layer split it only where the original page broke, and the renderer breaks pages on its own
(repeating the header).
"""
from __future__ import annotations

from pathlib import Path

from ..extract.encoding import decode_text
from ..extract.tables import continues
from ..extract.text_layout import ANNEX, NOTE_LINE, UNIT_LINE, table_parts
from ..normalize.text import clean_label
from .spec import BulletinSpec, HeaderCell, TableSpec

TITLE_MAX_CHARS = 40  # a first line this short is printed as the document's heading


def header_cells(grid: list[list[str]], width: int) -> list[list[HeaderCell]]:
    """Header rows of strings ("" where a merged cell continues) as rows of spanning HeaderCells.

    Every grid position is owned by exactly one cell; cells are listed row by row, left to right,
    which is the order TableSpec.header_grid places them in.
    """
    rows = [[clean_label(c) for c in r] + [""] * (width - len(r)) for r in grid]
    depth = len(rows)
    owned = [[False] * width for _ in range(depth)]
    out: list[list[HeaderCell]] = []

    def below(r: int, c: int) -> bool:
        return any(rows[k][c] for k in range(r + 1, depth))

    for r in range(depth):
        cells = []
        c = 0
        while c < width:
            if owned[r][c]:
                c += 1
                continue
            text = rows[r][c]
            end = c + 1
            if text and below(r, c):  # a group: spans the empty cells to its right that have content below
                while end < width and not owned[r][end] and not rows[r][end] and below(r, end):
                    end += 1
            span = range(c, end)
            down = r + 1
            while down < depth and all(not rows[down][k] and not owned[down][k] for k in span):
                down += 1
            for rr in range(r, down):
                for k in span:
                    owned[rr][k] = True
            cells.append(HeaderCell(text, colspan=end - c, rowspan=down - r))
            c = end
        out.append(cells)
    return out


def _context_lines(lines: list[str], first: int, stop: int, title: str | None, annex: str | None,
                   unit: str | None) -> set[int]:
    """Line numbers just above a table that the reader took as its title, annex label or unit."""
    taken: set[int] = set()
    title_left = "".join((title or "").split())
    i = first - 1
    while i > stop:
        line = lines[i].strip()
        if not line:
            i -= 1
            continue
        squashed = "".join(line.split())
        if annex and ANNEX.match(line):
            taken.add(i)
            break
        if unit and UNIT_LINE.match(line):
            taken.add(i)
        elif title_left and title_left.endswith(squashed):
            taken.add(i)
            title_left = title_left[: -len(squashed)]
        else:
            break
        i -= 1
    return taken


def _note_lines(lines: list[str], last: int, notes: list[str]) -> set[int]:
    taken = set()
    for i in range(last + 1, min(len(lines), last + 4)):
        if NOTE_LINE.match(lines[i]) and lines[i].strip() in notes:
            taken.add(i)
        elif lines[i].strip():
            break
    return taken


def seed_to_spec(text: str) -> BulletinSpec:
    """A BulletinSpec that prints `text`'s paragraphs and tables in the same order."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    found = table_parts(lines)
    table_lines: set[int] = set()
    placed: list[tuple[int, TableSpec, list[list[str]]]] = []  # (first line, spec, header grid)
    stops = [-1] + [b.last for b, _, _ in found]
    for (block, parts, adjacent), stop in zip(found, stops):
        table_lines.update(range(block.first, block.last + 1))
        table_lines |= _context_lines(lines, block.first, stop, parts.title, parts.annex, parts.unit)
        table_lines |= _note_lines(lines, block.last, parts.notes)
        rows = [[c.text for c in r] for r in parts.body]
        if placed and adjacent and (not parts.header or continues(placed[-1][2], parts.header)):
            prev = placed[-1][1]
            prev.rows.extend(rows)
            if parts.notes:
                prev.note = "".join(filter(None, [prev.note, *parts.notes]))
            continue
        placed.append((block.first, TableSpec(
            title=parts.title or "", annex=parts.annex, header=[], rows=rows, unit=parts.unit and f"单位：{parts.unit}",
            note="".join(parts.notes) or None), parts.header))
    heading, paragraphs, starts = "", [], []
    for i, line in enumerate(lines):
        if i in table_lines or not line.strip():
            continue
        if not heading and not paragraphs and len(line.strip()) <= TITLE_MAX_CHARS:
            heading = line.strip()
            continue
        paragraphs.append(line.strip())
        starts.append(i)
    tables = []
    for first, table, grid in placed:
        width = max([len(r) for r in grid] + [len(r) for r in table.rows] + [1])
        table.header = header_cells(grid, width) if grid else []
        table.rows = [list(r) + [""] * (width - len(r)) for r in table.rows]
        if table.annex is None:
            table.after_paragraph = max(0, sum(1 for s in starts if s < first) - 1)
        tables.append(table)
    return BulletinSpec(issuer="", doc_number=None, title=heading, issue_date="", paragraphs=paragraphs, tables=tables)


def seed_file_to_spec(path: str | Path) -> BulletinSpec:
    text, _encoding = decode_text(Path(path).read_bytes())
    return seed_to_spec(text)


def wide(spec: BulletinSpec, max_cols: int = 12) -> bool:
    """A bulletin with a table wider than `max_cols` columns is printed on landscape pages."""
    return any(t.n_cols > max_cols for t in spec.tables)


def render_seeds(folder: str | Path, out: str | Path | None = None) -> list[Path]:
    """Render every `folder/*.txt` seed as `<out or folder>/<name>.pdf` (STSong-Light, not embedded)."""
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4, landscape

    from .pdf import render_pdf

    rl_config.invariant = 1  # no timestamps or random ids: the same seed gives the same bytes

    folder = Path(folder)
    out = Path(out) if out else folder
    written = []
    for txt in sorted(folder.glob("*.txt")):
        spec = seed_file_to_spec(txt)
        written.append(render_pdf(spec, out / f"{txt.stem}.pdf", page_size=landscape(A4) if wide(spec) else A4))
    return written
