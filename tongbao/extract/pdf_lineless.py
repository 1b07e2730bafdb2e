"""Tables printed without any ruling lines, found from text alignment alone.

Characters are grouped into text blocks (a cell's wrapped lines are one block); blocks that read
as numbers and sit on one baseline form a data row; a run of data rows whose blocks leave common
empty x strips is a table, with columns between those strips. Header blocks are the blocks of the
table's font size stacked right above the first data row; a header block that spans several
columns with blocks below it is a group, so multi-level headers come back as a grid with ""
continuation cells, as every other reader gives them. Each body block joins the data row whose
centre is nearest to its own (cells are vertically centred), so wrapped names stay in their row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..normalize.numbers import parse_number
from ..normalize.text import CJK_CHAR
from .cell_text import join_lines
from .geometry import gaps as empty_strips, group_lines
from .tables import RawCell

METHOD = "pdfplumber-text"
MIN_DATA_ROWS = 2
MIN_COLS = 2
MIN_NUMBERS_PER_ROW = 1  # with at least one number in line with a number of the row before
MIN_COLUMN_GAP = 2.5  # points of empty x between two columns
BASELINE_SHARE = 0.3  # font sizes: lines whose tops differ less share a baseline
RUN_GAP = 1.5  # points: glyphs of one text run touch; a wider gap separates two cells
SIZE_TOLERANCE = 0.6
CHILD_LINE_TOLERANCE = 0.4  # font sizes: how far the centres of one header row's labels may differ
TOP_TOLERANCE = 1.0  # points: how far the tops of top-aligned labels of one header row may differ
WRAP_GAP = 0.5  # font sizes (plus 1 point): the most space between two wrapped lines of one cell
HEADER_GAP = 1.0  # font sizes (plus 6 points): the most space between stacked header lines, or above the body
DETACHED_HEADER_GAP = 5.0  # font sizes: the most space above the body of a header row naming every column
AUTOSPACE = 0.4  # font sizes: at most the space LibreOffice and Word set between Chinese and Latin text
SENTENCE_MARKS = re.compile(r"[，。；](?=.)")  # punctuation inside a sentence (not a cell's last character)
MAX_SENTENCE_BLOCKS = 2  # this many blocks holding sentences make a candidate table a paragraph


@dataclass
class Block:
    """Characters of one cell: one or more wrapped lines, horizontally overlapping."""

    chars: list[dict] = field(default_factory=list)
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    lines: list[list[dict]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The block's lines joined as a cell's wrapped lines are (cell_text.join_lines)."""
        return join_lines("".join(c["text"] for c in sorted(line, key=lambda c: c["x0"])) for line in self.lines)

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def number(self) -> bool:
        t = self.text
        return bool(t) and len(t) <= 20 and parse_number(t) is not None


def label_runs(chars: list[dict]) -> list[list[dict]]:
    """Same-line runs of characters without a column-wide gap between them: one label or number each."""
    lines = group_lines(chars, lambda c: (round(c["top"], 0), c["x0"]),
                        lambda line, c: abs(line[-1]["top"] - c["top"]) <= 0.3 * c["size"])
    runs = []
    for line in lines:
        line.sort(key=lambda c: c["x0"])
        run = [line[0]]
        for c in line[1:]:
            gap = c["x0"] - run[-1]["x1"]
            if gap > min(0.25 * c["size"], RUN_GAP) and not _autospace(run[-1], c, gap):
                runs.append(run)
                run = []
            run.append(c)
        runs.append(run)
    return [r for r in runs if any(c["text"].strip() for c in r)]


def _autospace(a: dict, b: dict, gap: float) -> bool:
    """The small space a word processor sets between a Chinese character and a digit, letter or
    bracket ("2023 年 6 月", "网厅办件 (15 分)"): part of the text, not a gap between two cells."""
    if gap > AUTOSPACE * b["size"]:
        return False
    cjk_a, cjk_b = CJK_CHAR.match(a["text"]) is not None, CJK_CHAR.match(b["text"]) is not None
    # "件 (15" and "15 分", never ") 电": a closing bracket ends a label, and the next may start beside it
    return (cjk_a and (b["text"].isascii() and (b["text"].isalnum() or b["text"] == "("))) \
        or (cjk_b and a["text"].isascii() and a["text"].isalnum())


def _number_lines(runs: list[list[dict]]) -> list[tuple[float, float, float, float]]:
    """(top, x0, x1, size) of every run that reads as a number."""
    out = []
    for run in runs:
        text = "".join(c["text"] for c in run).strip()
        if text and len(text) <= 20 and parse_number(text) is not None:
            out.append((min(c["top"] for c in run), min(c["x0"] for c in run), max(c["x1"] for c in run),
                        max(c["size"] for c in run)))
    return out


def _row_of_its_own(top: float, x0: float, x1: float, numbers: list[tuple[float, float, float, float]]) -> bool:
    """A line with numbers of other columns on its baseline starts a row: in a table set with tight
    leading it is the next row, not the wrapped rest of the cell above (a wrapped label's lines, and
    the lines of a label centred beside its numbers, have no numbers beside them)."""
    return any(abs(t - top) <= BASELINE_SHARE * size and (b <= x0 or a >= x1) for t, a, b, size in numbers)


def blocks_of(chars: list[dict]) -> list[Block]:
    """Runs stacked under each other (a wrapped cell) merged into blocks."""
    blocks: list[Block] = []
    runs = label_runs(chars)
    numbers = _number_lines(runs)
    for run in sorted(runs, key=lambda r: (r[0]["top"], r[0]["x0"])):
        run = [c for c in run if c["text"].strip()] or run
        x0, x1 = min(c["x0"] for c in run), max(c["x1"] for c in run)
        top, bottom = min(c["top"] for c in run), max(c["bottom"] for c in run)
        size = max(c["size"] for c in run)
        own_row = _row_of_its_own(top, x0, x1, numbers)
        for b in reversed(blocks):
            gap = top - b.bottom
            if (0 <= gap <= WRAP_GAP * size + 1.0 or -0.5 < gap < 0) and min(x1, b.x1) > max(x0, b.x0) \
                    and abs(b.size - size) <= SIZE_TOLERANCE and not own_row:
                b.chars += run
                b.lines.append(run)
                b.x0, b.x1, b.bottom = min(b.x0, x0), max(b.x1, x1), max(b.bottom, bottom)
                break
        else:
            blocks.append(Block(list(run), x0, x1, top, bottom, size, [run]))
    return blocks


@dataclass
class LinelessTable:
    header: list[list[str]]
    body: list[list[RawCell]]
    bbox: tuple[float, float, float, float]
    blocks: list[Block]


def _data_rows(blocks: list[Block]) -> list[list[Block]]:
    """Blocks grouped by vertical centre; rows holding at least MIN_NUMBERS_PER_ROW numbers."""
    rows: list[list[Block]] = []
    for b in sorted((b for b in blocks if b.number and len(b.lines) == 1), key=lambda b: b.mid):
        if rows and abs(rows[-1][0].mid - b.mid) <= 0.35 * b.size and abs(rows[-1][0].size - b.size) <= SIZE_TOLERANCE:
            rows[-1].append(b)
        else:
            rows.append([b])
    return [r for r in rows if len(r) >= MIN_NUMBERS_PER_ROW]


def _runs_of_rows(rows: list[list[Block]]) -> list[list[list[Block]]]:
    """Consecutive data rows at a steady pitch: one candidate table each."""
    out: list[list[list[Block]]] = []
    for row in rows:
        if out:
            last = out[-1]
            pitch = last[-1][0].mid - last[-2][0].mid if len(last) >= 2 else 6 * row[0].size
            aligned = any(min(a.x1, b.x1) > max(a.x0, b.x0) for a in row for b in last[-1])
            if aligned and row[0].mid - last[-1][0].mid <= max(2.5 * pitch, 3 * row[0].size) \
                    and abs(row[0].size - last[-1][0].size) <= SIZE_TOLERANCE:
                last.append(row)
                continue
        out.append([row])
    return out  # runs shorter than MIN_DATA_ROWS need a header above them (a continued table's last row)


def find_lineless_tables(chars: list[dict], page_number: int) -> list[LinelessTable]:
    """Tables without rules among `chars` (the page's characters outside ruled tables)."""
    blocks = blocks_of(chars)
    found = []
    used: set[int] = set()
    for run in _runs_of_rows(_data_rows(blocks)):
        table = _table(blocks, run, page_number, used)
        if table is not None and not _reads_as_prose(table):
            found.append(table)
            used.update(id(b) for b in table.blocks)
    return found


def _side_by_side(header: list[Block]) -> bool:
    """At least MIN_COLS header labels printed on one line, next to each other (a header row), not
    stacked lines of a paragraph above the numbers."""
    return any(sum(abs(b.top - h.top) <= 0.3 * h.size for b in header) >= MIN_COLS for h in header)


def _reads_as_prose(table: LinelessTable) -> bool:
    """A paragraph whose justified spacing left empty strips between its words, not a table: its
    blocks hold sentences (a comma or full stop inside), which table cells hardly ever do."""
    return sum(bool(SENTENCE_MARKS.search(b.text)) for b in table.blocks) >= MAX_SENTENCE_BLOCKS


def _table(blocks: list[Block], rows: list[list[Block]], page_number: int, used: set[int]) -> LinelessTable | None:
    size = rows[0][0].size
    first, last = rows[0], rows[-1]
    pitch = (last[0].mid - first[0].mid) / (len(rows) - 1) if len(rows) > 1 else 3 * size
    top_mid, bottom_mid = first[0].mid - 0.5 * pitch, last[0].mid + 0.5 * pitch
    nums_x0 = min(b.x0 for r in rows for b in r)
    nums_x1 = max(b.x1 for r in rows for b in r)
    body = [b for b in blocks if id(b) not in used and abs(b.size - size) <= SIZE_TOLERANCE
            and top_mid <= b.mid <= bottom_mid]
    centres = [r[0].mid for r in rows]
    body, above = _split_across_rows(body, centres)
    blocks = blocks + above  # a header line merged into the first label block is a header label again
    # a label column left of the numbers belongs to the body too; other text on those lines does not
    x0 = min(b.x0 for b in body)
    x1 = max(b.x1 for b in body)
    if x1 < nums_x1 or x0 > nums_x0:
        return None
    gaps = empty_strips([(b.x0, b.x1) for b in body], MIN_COLUMN_GAP)
    if len(gaps) + 1 < MIN_COLS:
        return None
    header_blocks = _header_blocks(blocks, body, size, x0, x1, used) or \
        _detached_header(blocks, body, size, len(gaps) + 1, used)
    if len(rows) < MIN_DATA_ROWS and not _side_by_side(header_blocks):
        return None  # one line of numbers (a date, a signature) is a table only under a header row
    # a header label beside the body's extent heads a column left blank in every row shown here
    # (a continued table's rows whose names are "same as above")
    beside = [h for h in header_blocks if h.x1 < x0 or h.x0 > x1]
    if beside:
        gaps = empty_strips([(b.x0, b.x1) for b in body + beside], MIN_COLUMN_GAP)
        x0, x1 = min([x0] + [h.x0 for h in beside]), max([x1] + [h.x1 for h in beside])
    edges = [x0 - 1] + [_edge_in(a, b, header_blocks) for a, b in gaps] + [x1 + 1]
    n_cols = len(edges) - 1
    # outer edges: cells are centred, so the outer column reaches as far beyond its content's
    # centre as its inner edge lies before it
    every = body + header_blocks
    last = [b for b in every if (b.x0 + b.x1) / 2 > edges[-2]]
    first = [b for b in every if (b.x0 + b.x1) / 2 < edges[1]]
    widest_last = max(last, key=lambda b: b.x1 - b.x0)
    widest_first = max(first, key=lambda b: b.x1 - b.x0)
    edges[-1] = max(max(b.x1 for b in last) + 1, widest_last.x0 + widest_last.x1 - edges[-2])
    edges[0] = min(min(b.x0 for b in first) - 1, widest_first.x0 + widest_first.x1 - edges[1])
    header = _header_grid(header_blocks, edges)

    def col_of(b: Block) -> int:
        cx = (b.x0 + b.x1) / 2
        return max(0, min(n_cols - 1, next((i for i in range(n_cols) if cx < edges[i + 1]), n_cols - 1)))

    grid: list[list[list[Block]]] = [[[] for _ in range(n_cols)] for _ in rows]
    for b in body:
        r = min(range(len(centres)), key=lambda i: abs(centres[i] - b.mid))
        grid[r][col_of(b)].append(b)
    out_rows = []
    for r, row in enumerate(grid):
        cells = []
        for c, bs in enumerate(row):
            if bs:
                bs.sort(key=lambda b: b.top)
                text = "".join(b.text for b in bs)
                cells.append(RawCell(text, page_number, min(b.x0 for b in bs), min(b.top for b in bs),
                                     max(b.x1 for b in bs), max(b.bottom for b in bs)))
            else:
                half = 0.5 * size
                cells.append(RawCell("", page_number, edges[c], centres[r] - half, edges[c + 1], centres[r] + half))
        out_rows.append(cells)
    every = body + header_blocks
    bbox = (min(b.x0 for b in every), min(b.top for b in every), max(b.x1 for b in every), max(b.bottom for b in every))
    return LinelessTable(header, out_rows, bbox, every)


def _block(lines: list[list[dict]]) -> Block:
    chars = [c for line in lines for c in line]
    return Block(chars, min(c["x0"] for c in chars), max(c["x1"] for c in chars), min(c["top"] for c in chars),
                 max(c["bottom"] for c in chars), max(c["size"] for c in chars), lines)


def _split_across_rows(body: list[Block], centres: list[float]) -> tuple[list[Block], list[Block]]:
    """Body blocks whose wrapped lines reach over more than one row are cut between the rows: each
    line goes to the row whose centre is nearest (two wrapped names, 道真仡佬族苗族自治县 over two lines
    and the next county's, are two labels, not one). Lines above the first row's reach (a repeated
    header label merged with the first name below it) come back apart, as blocks above the body."""
    if len(centres) < 2:
        return body, []
    reach = centres[0] - (centres[1] - centres[0]) / 2
    out, above = [], []
    for b in body:
        spanned = [m for m in centres if b.top <= m <= b.bottom]
        if len(b.lines) < 2 or (len(spanned) < 2 and (b.lines[0][0]["bottom"] + b.lines[0][0]["top"]) / 2 >= reach):
            out.append(b)
            continue
        by_row: dict[int | None, list[list[dict]]] = {}
        for line in b.lines:
            mid = (min(c["top"] for c in line) + max(c["bottom"] for c in line)) / 2
            key = None if mid < reach else min(range(len(centres)), key=lambda i: abs(centres[i] - mid))
            by_row.setdefault(key, []).append(line)
        for key, lines in by_row.items():
            (above if key is None else out).append(_block(lines))
    return out, above


def _edge_in(a: float, b: float, header: list[Block]) -> float:
    """A column boundary inside the body's empty strip (a, b): where no header label that ends or
    starts inside the strip is cut (labels crossing the whole strip are groups), else its middle."""
    free = [(a, b)]
    for h in header:
        if h.x0 <= a and h.x1 >= b:
            continue
        free = [piece for lo, hi in free for piece in ((lo, min(hi, h.x0)), (max(lo, h.x1), hi)) if piece[1] > piece[0]]
    lo, hi = max(free, key=lambda g: g[1] - g[0], default=(a, b))
    return (lo + hi) / 2


def _header_blocks(blocks: list[Block], body: list[Block], size: float, x0: float, x1: float, used: set[int]) -> list[Block]:
    """Blocks of the table's size stacked directly above the body, within its x extent."""
    taken: list[Block] = []
    top = min(b.top for b in body)
    candidates = sorted((b for b in blocks if id(b) not in used and b.bottom <= top + 0.5
                         and abs(b.size - size) <= SIZE_TOLERANCE
                         and x0 - 0.5 * (x1 - x0) - size <= (b.x0 + b.x1) / 2 <= x1 + 0.5 * (x1 - x0) + size),
                        key=lambda b: -b.bottom)
    reach = top
    for b in candidates:
        if reach - b.bottom <= HEADER_GAP * size + 6:
            taken.append(b)
            reach = min(reach, b.top)
    # a label on the line of the header labels heads a column too, however far beside the numbers it
    # stands (the label column of a continued page whose rows all say "same as above")
    return taken + [b for b in blocks if id(b) not in used and b not in taken and b.bottom <= top + 0.5
                    and abs(b.size - size) <= SIZE_TOLERANCE and len(b.lines) == 1
                    and any(abs(b.top - h.top) <= 0.3 * size and len(h.lines) == 1 for h in taken)]


def _detached_header(blocks: list[Block], body: list[Block], size: float, n_cols: int, used: set[int]) -> list[Block]:
    """A header row set further above the body than stacked labels are (a word processor's header
    row repeated atop a page, taller than its text): one line of exactly one label per column, with
    nothing between it and the body."""
    top = min(b.top for b in body)
    above = [b for b in blocks if id(b) not in used and b.bottom <= top + 0.5 and top - b.bottom <= DETACHED_HEADER_GAP * size
             and abs(b.size - size) <= SIZE_TOLERANCE]
    if not above:
        return []
    lowest = max(b.bottom for b in above)
    line = [b for b in above if abs(b.bottom - lowest) <= 0.3 * size]
    if len(line) != n_cols or len(line) < MIN_COLS or any(b.number for b in line):
        return []
    return line


def _header_grid(blocks: list[Block], edges: list[float]) -> list[list[str]]:
    """Header rows from header blocks: each column's blocks top to bottom are its path; a block over
    several columns is written once, at its first column, "" continuing it."""
    n = len(edges) - 1
    if not blocks:
        return []
    spans = [(b, *span) for b, span in _choose_spans(blocks, {id(b): _spans(b, blocks, edges) for b in blocks})]
    spans = [s for s in spans if s[1] <= s[2]]
    chains = [[s for s in sorted(spans, key=lambda s: s[0].top) if s[1] <= c <= s[2]] for c in range(n)]
    depth = max((len(ch) for ch in chains), default=0)
    grid = [[""] * n for _ in range(depth)]
    for c, chain in enumerate(chains):
        for level, (b, first, _last) in enumerate(chain):
            if first == c:
                grid[level][c] = b.text
    return grid


def _choose_spans(blocks: list[Block], options: dict[int, list[tuple[int, int]]]) -> list[tuple[Block, tuple[int, int]]]:
    """One span per header block. A label centred over one column is also centred over that column
    and its two neighbours, so labels printed side by side are read together: of their candidate
    spans, the choice where no two overlap and the most columns are headed (the widest first on a tie)."""
    rows: list[list[Block]] = []  # labels printed on one line (a label spanning header rows is alone)
    for b in sorted(blocks, key=lambda b: b.top):
        row = next((r for r in rows if abs(r[0].top - b.top) <= 0.3 * b.size), None)
        if row is None:
            rows.append([b])
        else:
            row.append(b)
    chosen: dict[int, tuple[int, int]] = {}
    for row in rows:
        row.sort(key=lambda b: b.x0)
        best = _best_cover(row, options)
        for b, span in zip(row, best or [options[id(b)][0] for b in row]):
            chosen[id(b)] = span
    return [(b, chosen[id(b)]) for b in blocks]


def _best_cover(row: list[Block], options: dict[int, list[tuple[int, int]]]) -> list[tuple[int, int]] | None:
    """Spans for the blocks of one header row, left to right, that do not overlap and head the most
    columns; None when every choice overlaps."""
    # states: last column headed → (columns headed, choices so far); a block's options, widest first
    states: dict[int, tuple[int, list[tuple[int, int]]]] = {-1: (0, [])}
    for b in row:
        nxt: dict[int, tuple[int, list[tuple[int, int]]]] = {}
        for last, (covered, picks) in states.items():
            for a, z in options[id(b)]:
                if a <= last and a <= z:
                    continue
                key, value = max(last, z), (covered + max(0, z - a + 1), picks + [(a, z)])
                if key not in nxt or value[0] > nxt[key][0]:
                    nxt[key] = value
        if not nxt:
            return None
        states = nxt
    return max(states.values(), key=lambda v: v[0])[1]


def _spans(block: Block, blocks: list[Block], edges: list[float]) -> list[tuple[int, int]]:
    """The column spans a header block may head, widest first. It overlaps some columns; a group
    label is printed centred over its children, so it may head any run of columns around those, all
    with header text below it and none with a block beside it, whose middle is where the label's
    middle is."""
    n = len(edges) - 1
    overlap = [i for i in range(n) if min(block.x1, edges[i + 1]) - max(block.x0, edges[i])
               > 0.3 * min(block.x1 - block.x0, edges[i + 1] - edges[i])]
    if not overlap:
        return [(0, -1)]
    a0, b0 = overlap[0], overlap[-1]

    def in_col(b: Block, i: int) -> bool:
        return edges[i] <= (b.x0 + b.x1) / 2 < edges[i + 1] or (b.x0 < edges[i + 1] and b.x1 > edges[i])

    def under(i: int) -> list[Block]:
        return [b for b in blocks if b is not block and b.top >= block.bottom - 0.5 and in_col(b, i)]

    def beside(i: int) -> bool:
        return any(b is not block and b.top < block.bottom and b.bottom > block.top and in_col(b, i) for b in blocks)

    if not all(under(i) and not beside(i) for i in range(a0, b0 + 1)):
        return [(a0, b0)]
    # a column the label may widen to needs a label centred on a line of the labels under the columns
    # it is printed over (cells centre their text, wrapped or not); a label spanning the header rows
    # (部门) is centred between those lines
    # (or, where cells set their text at the top as word processors do, starting where they start)
    children = [b for i in range(a0, b0 + 1) for b in under(i)]

    def on_their_line(b: Block) -> bool:
        return any(abs(b.mid - c.mid) <= CHILD_LINE_TOLERANCE * b.size or abs(b.top - c.top) <= TOP_TOLERANCE
                   for c in children)

    def free(i: int) -> bool:
        return any(on_their_line(b) for b in under(i)) and not beside(i)

    centre = (block.x0 + block.x1) / 2
    lo = a0
    while lo > 0 and free(lo - 1):
        lo -= 1
    hi = b0
    while hi < n - 1 and free(hi + 1):
        hi += 1

    def off_centre(a: int, b: int) -> float:
        """How far the label is from the middle of columns a..b, judged on the labels under them (a
        column's edges are only guessed from empty strips): the outer ends of all of them, or of
        the ones right under it (wider labels further down may stick out); the nearer of the two.
        Without labels under both end columns, the columns' edges."""
        first, last = under(a), under(b)
        if not (first and last):
            return abs((edges[a] + edges[b + 1]) / 2 - centre)
        outer = (min(h.x0 for h in first) + max(h.x1 for h in last)) / 2
        nearest = (min(first, key=lambda h: h.top).x0 + min(last, key=lambda h: h.top).x1) / 2
        return min(abs(outer - centre), abs(nearest - centre))

    cands = [(off_centre(a, b), a, b) for a in range(lo, a0 + 1) for b in range(b0, hi + 1)]
    closest = min(d for d, _a, _b in cands)
    # the widest span centred (within rounding of the column edges) where the label is centred
    centred = [(a, b) for d, a, b in cands if d <= closest + 0.25 * block.size]
    return sorted(centred, key=lambda ab: ab[0] - ab[1])
