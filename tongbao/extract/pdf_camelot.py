"""camelot (lattice) as a second opinion on ruled tables that pdfplumber read poorly.

Both candidates for a table are scored on what a correct reading must show: every body cell under
a header column filled, rows that fit the header's width, rows whose values add up to a 合计 /
得分 column, and a header that rebuilds into named columns. The better candidate is kept, and
`method_reason` says which won and the scores.

camelot is slow (about 3 pages/s) and, on LibreOffice-made PDFs, reports CJK glyph boxes about
three times the font size, so wrapped text can land in the wrong row: it is never trusted blindly,
and it only runs when pdfplumber's reading scores below POOR.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

from .headers import build_columns, is_total_label
from .placement import row_adds_up
from ..pdfium_lock import PDFIUM_LOCK
from .tables import RawCell, TableParts
from .text_layout import split_header

METHOD = "camelot-lattice"
POOR = 0.85  # a pdfplumber reading scoring below this gets a second opinion


@dataclass
class Score:
    filled: float  # share of body cells under named columns that hold text
    fitting: float  # share of rows with no text beyond the header's columns
    reconciled: float | None  # share of rows adding up to the total column (None: no total column)
    header: float  # share of columns whose header path is non-empty

    @property
    def total(self) -> float:
        parts = [self.filled, self.fitting, self.header] + ([self.reconciled] if self.reconciled is not None else [])
        return sum(parts) / len(parts)

    def __str__(self) -> str:
        rec = "n/a" if self.reconciled is None else f"{self.reconciled:.2f}"
        return f"score {self.total:.2f} (filled {self.filled:.2f}, fitting {self.fitting:.2f}, reconciled {rec}, header {self.header:.2f})"


def score(parts: TableParts) -> Score:
    """How plausible a reading of a table is, from its own content."""
    columns = build_columns(parts.header)
    width = len(columns)
    body = [r for r in parts.body if any(not c.empty for c in r)]
    if not body or not width:
        return Score(0.0, 0.0, None, 0.0)
    header = sum(1 for c in columns if c.path) / width
    fitting = sum(1 for r in body if not any(not c.empty for c in r[width:])) / len(body)
    cells = [c for r in body for c in r[:width]]
    filled = sum(1 for c in cells if not c.empty) / max(1, len(cells))
    total_last = bool(columns[-1].path) and is_total_label(columns[-1].path[-1])
    reconciled = None
    if total_last:
        labels = _label_count(body)
        rows = [[c.text for c in r[labels:width] if not c.empty] for r in body]
        rows = [r for r in rows if len(r) >= 2]
        reconciled = sum(row_adds_up(r, True) for r in rows) / len(rows) if rows else 0.0
    return Score(filled, fitting, reconciled, header)


def _label_count(body: list[list[RawCell]]) -> int:
    """Leading columns that are mostly not numbers (序号 counts when followed by a name)."""
    from ..normalize.numbers import parse_number

    count = 0
    width = max(len(r) for r in body)
    for i in range(width):
        texts = [r[i].text for r in body if i < len(r) and not r[i].empty]
        if texts and sum(parse_number(t) is not None for t in texts) < 0.5 * len(texts):
            count = i + 1
        elif i > count:
            break
    return count


def needs_second_opinion(parts: TableParts) -> bool:
    return score(parts).total < POOR


def choose(first: TableParts, second: TableParts | None) -> TableParts:
    """The better-scoring candidate, its method_reason extended with both scores (ties keep `first`)."""
    a = score(first)
    if second is None:
        return first
    b = score(second)
    winner, loser, ws, ls = (second, first, b, a) if b.total > a.total else (first, second, a, b)
    winner.method_reason = (f"{winner.method_reason}; kept over {loser.method}: {winner.method} {ws} "
                            f"vs {loser.method} {ls}")
    return winner


class CamelotReader:
    """camelot lattice on single pages of one PDF, writing the bytes to a temporary file once."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.path: str | None = None
        self.pages: dict[int, list] = {}

    def __enter__(self) -> "CamelotReader":
        return self

    def __exit__(self, *exc) -> None:
        if self.path:
            os.unlink(self.path)

    def tables(self, page_number: int) -> list:
        if page_number not in self.pages:
            import camelot  # slow import, only when needed

            if self.path is None:
                fd, self.path = tempfile.mkstemp(suffix=".pdf")
                with os.fdopen(fd, "wb") as fh:
                    fh.write(self.data)
            try:
                with PDFIUM_LOCK:  # camelot renders the page with PDFium
                    self.pages[page_number] = list(camelot.read_pdf(self.path, pages=str(page_number), flavor="lattice"))
            except Exception:  # camelot fails on odd pages; pdfplumber's reading stands
                self.pages[page_number] = []
        return self.pages[page_number]

    def parts_for(self, page_number: int, page_height: float, bbox: tuple[float, float, float, float]) -> TableParts | None:
        """camelot's reading of the table at `bbox` (pdfplumber coordinates: top-left origin)."""
        for table in self.tables(page_number):
            x1, y1, x2, y2 = table._bbox
            top, bottom = page_height - y2, page_height - y1
            overlap_x = min(x2, bbox[2]) - max(x1, bbox[0])
            overlap_y = min(bottom, bbox[3]) - max(top, bbox[1])
            if overlap_x > 0.5 * (bbox[2] - bbox[0]) and overlap_y > 0.5 * (bbox[3] - bbox[1]):
                return _parts(table, page_number, page_height)
        return None


def _parts(table, page_number: int, page_height: float) -> TableParts:
    grid = []
    for row_cells, texts in zip(table.cells, table.df.values.tolist()):
        row = []
        for cell, text in zip(row_cells, texts):
            text = "".join(str(text).split("\n")) if text else ""
            row.append(RawCell(text, page_number, cell.x1, page_height - cell.y2, cell.x2, page_height - cell.y1))
        grid.append(row)
    n_header = split_header([[c.text for c in r] for r in grid])
    return TableParts(header=[[c.text for c in r] for r in grid[:n_header]], body=grid[n_header:],
                      page_start=page_number, page_end=page_number, method=METHOD,
                      method_reason="camelot lattice (ruling lines)")
