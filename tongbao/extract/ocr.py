"""Read a scanned (image-only) PDF bulletin with OCR: Tesseract (chi_sim+eng) on page images.

The engine is optional: `ocr_available()` says whether the `tesseract` program and its chi_sim and
eng language data are installed (Debian: tesseract-ocr, tesseract-ocr-chi-sim; `make ocr`). Nothing
is downloaded at run time. Set TONGBAO_OCR=0 to switch OCR off.

Each page is rasterised with pypdfium2 at DPI, then:
- ruling lines are found in the image with OpenCV morphology (openings with long thin kernels give
  a horizontal and a vertical line mask); a connected set of both is a ruled grid whose cells come
  from the line positions, two neighbouring grid cells being one merged cell where no line
  separates them; a band of three or more long horizontal rules of equal extent is a table ruled
  with horizontal lines only (rows from rules, columns from empty x strips between words);
- the lines are erased and the whole page is read once by Tesseract (sparse-text mode, TSV), giving
  words with boxes; a word belongs to the cell holding its centre; a cell with ink but no word (a
  lone digit the page pass missed) is read again on its own;
- words outside tables become narrative lines (no space invented between Chinese characters),
  handed with the tables to the PDF reader's document builder, so paragraphs, titles, annexes,
  units and notes are found exactly as for a text layer;
- tables without any ruling line are found from word-column alignment by the lineless reader.

Cell boxes are in PDF points from the page's top-left, as pdfplumber gives them, so the report's
page images line up. Every table's `method` is METHOD: a mismatch in it may be an OCR error.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ..errors import ExtractionError
from ..model import Document, Finding
from .document import fill_document
from .pdf_lineless import find_lineless_tables
from .tables import RawCell, TableParts
from .text_layout import PAGE_NUMBER, split_header

ENGINE = "tesseract"
METHOD = "ocr-tesseract"
LANGS = "chi_sim+eng"
DPI = 300
PAGE_PSM = 11  # sparse text: finds the most words on pages with tables (3 and 6 drop table cells)
NO_OCR_REASON = ("no text layer (scanned PDF): install OCR with `make ocr` "
                 "(Debian packages tesseract-ocr and tesseract-ocr-chi-sim)")
TIMEOUT = 600  # seconds for one Tesseract call
LINE_KERNEL_SHARE = 1 / 40  # of the page width: shortest run of ink taken as a ruling line (≈ 62 px at 300 dpi)
MIN_RULE_WIDTH_SHARE = 0.3  # of the page width: a horizontal-only table's rules are at least this long
RULE_TOLERANCE = 12  # pixels: rules of one horizontal-only table start and end within this
MIN_RULES = 3
CELL_MARGIN = 4  # pixels kept off a cell's border when looking for ink in it
MIN_INK = 12  # dark pixels in a cell (lines erased) that mean something is printed there

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9%.]")
# OCR confusions fixed in numbers only: a cell that is digits once these are mapped (and holds a digit)
_NUMERIC_CONFUSIONS = str.maketrans({
    "O": "0", "o": "0", "〇": "0", "l": "1", "I": "1", "|": "1",
    **{chr(0xFF10 + i): str(i) for i in range(10)}, "．": ".", "％": "%", "－": "-", "，": ",",
})
_NUMERIC_SHAPE = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?%?$")
_CONFUSABLE_TOKEN = re.compile(r"^[0-9０-９OolI|〇．.,，％%+\-－]+$")


# ---------------------------------------------------------------- the engine


def _tesseract() -> str | None:
    return os.environ.get("TONGBAO_TESSERACT") or shutil.which("tesseract")


@functools.lru_cache(maxsize=4)
def _engine_ready(cmd: str | None) -> bool:
    if not cmd:
        return False
    try:
        out = subprocess.run([cmd, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    langs = set((out.stdout + out.stderr).split())
    return all(lang in langs for lang in LANGS.split("+"))


def ocr_available() -> bool:
    """Tesseract and its chi_sim and eng data are installed (and TONGBAO_OCR is not 0)."""
    if os.environ.get("TONGBAO_OCR", "1").strip().lower() in ("0", "no", "off", "false"):
        return False
    return _engine_ready(_tesseract())


def engine_version() -> str:
    cmd = _tesseract()
    try:
        out = subprocess.run([cmd, "--version"], capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).split("\n", 1)[0].strip()
    except (OSError, subprocess.SubprocessError, TypeError):
        return ENGINE


@dataclass
class Word:
    """A word Tesseract read, with its box in pixels."""

    text: str
    x0: int
    top: int
    x1: int
    bottom: int
    conf: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> int:
        return self.bottom - self.top


def run_tesseract(image: np.ndarray, psm: int = PAGE_PSM, langs: str = LANGS, config: dict | None = None,
                  offset: tuple[int, int] = (0, 0)) -> list[Word]:
    """Words of a grayscale image (boxes shifted by `offset`), from Tesseract's TSV output."""
    import cv2

    ok, png = cv2.imencode(".png", image)
    if not ok:
        raise ExtractionError("OCR: could not encode the page image")
    cmd = [_tesseract() or "tesseract", "stdin", "stdout", "-l", langs, "--psm", str(psm), "--dpi", str(DPI)]
    for key, value in (config or {}).items():
        cmd += ["-c", f"{key}={value}"]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # pages run in parallel instead
    try:
        out = subprocess.run(cmd + ["tsv"], input=png.tobytes(), capture_output=True, timeout=TIMEOUT, env=env)
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(f"OCR: tesseract took longer than {TIMEOUT} s on a page") from exc
    except OSError as exc:
        raise ExtractionError(f"OCR: cannot run tesseract: {exc}") from exc
    if out.returncode != 0:
        raise ExtractionError(f"OCR: tesseract failed: {out.stderr.decode('utf-8', 'replace').strip()[-300:]}")
    return parse_tsv(out.stdout.decode("utf-8", "replace"), offset)


def parse_tsv(tsv: str, offset: tuple[int, int] = (0, 0)) -> list[Word]:
    dx, dy = offset
    words = []
    for row in tsv.splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        left, top, width, height = (int(v) for v in f[6:10])
        words.append(Word(f[11].strip(), left + dx, top + dy, left + width + dx, top + height + dy, float(f[10])))
    return words


# ---------------------------------------------------------------- ruling lines


@dataclass
class Grid:
    """A ruled table found in the image: line positions (pixels) and its merged cells."""

    xs: list[int]
    ys: list[int]
    cells: list[tuple[int, int, int, int]]  # (row0, col0, row1, col1) inclusive, top-left first

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


@dataclass
class Band:
    """A table ruled with horizontal lines only: rule positions and x extent (pixels)."""

    x0: int
    x1: int
    ys: list[int]

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        return self.x0, self.ys[0], self.x1, self.ys[-1]


def line_masks(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ink, horizontal lines, vertical lines) as 0/255 masks."""
    import cv2

    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
    k = max(15, int(gray.shape[1] * LINE_KERNEL_SHARE))
    h = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    v = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    # close small breaks a scan leaves in a line
    h = cv2.morphologyEx(h, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 1)))
    v = cv2.morphologyEx(v, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 9)))
    return ink, h, v


def _positions(profile: np.ndarray, start: int) -> list[int]:
    """Centres of the runs of non-zero entries of a projection."""
    on = np.flatnonzero(profile > 0)
    if not len(on):
        return []
    out, run = [], [on[0]]
    for i in on[1:]:
        if i - run[-1] <= 2:
            run.append(i)
        else:
            out.append(int(np.mean(run)) + start)
            run = [i]
    out.append(int(np.mean(run)) + start)
    return out


def _covered(mask: np.ndarray, a: int, b: int, fixed: int, vertical: bool, share: float = 0.7) -> bool:
    """A line of `mask` runs from a to b (with a margin) at `fixed` (±3 px)."""
    lo, hi = a + (b - a) // 6, b - (b - a) // 6
    if hi <= lo:
        return False
    strip = mask[lo:hi, max(0, fixed - 3):fixed + 4] if vertical else mask[max(0, fixed - 3):fixed + 4, lo:hi]
    hits = strip.any(axis=1) if vertical else strip.any(axis=0)
    return hits.mean() >= share


def find_grids(h: np.ndarray, v: np.ndarray) -> list[Grid]:
    """Ruled grids: connected sets of horizontal and vertical lines, at least 2 × 2 lines each way."""
    import cv2

    both = cv2.dilate(h | v, np.ones((5, 5), np.uint8))
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(both)
    grids = []
    for i in range(1, n):
        x, y, w, hh = stats[i, :4]
        if w < 40 or hh < 40:
            continue
        hs, vs = h[y:y + hh, x:x + w], v[y:y + hh, x:x + w]
        ys = _positions(hs.sum(axis=1), y)
        xs = _positions(vs.sum(axis=0), x)
        if len(ys) < 2 or len(xs) < 2:
            continue
        # a vertical line must reach from one horizontal line to another
        xs = [xx for xx in xs if sum(_covered(v, ys[j], ys[j + 1], xx, True) for j in range(len(ys) - 1)) >= 1]
        if len(xs) < 2:
            continue
        grids.append(Grid(xs, ys, _merged_cells(xs, ys, h, v)))
    return grids


def _merged_cells(xs: list[int], ys: list[int], h: np.ndarray, v: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Grid cells joined where no line separates them, as (row0, col0, row1, col1)."""
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not _covered(v, ys[r], ys[r + 1], xs[c + 1], True):
                parent[find(r * nc + c + 1)] = find(r * nc + c)
            if r + 1 < nr and not _covered(h, xs[c], xs[c + 1], ys[r + 1], False):
                parent[find((r + 1) * nc + c)] = find(r * nc + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(nr):
        for c in range(nc):
            groups.setdefault(find(r * nc + c), []).append((r, c))
    cells = []
    for members in groups.values():
        rs, cs = [m[0] for m in members], [m[1] for m in members]
        cells.append((min(rs), min(cs), max(rs), max(cs)))
    return sorted(cells)


def find_bands(h: np.ndarray, grids: list[Grid], page_width: int) -> list[Band]:
    """Tables ruled with horizontal lines only: 3+ long rules sharing their x extent, outside grids."""
    import cv2

    n, _labels, stats, _ = cv2.connectedComponentsWithStats(h)
    rules = []
    for i in range(1, n):
        x, y, w, hh = stats[i, :4]
        if w < MIN_RULE_WIDTH_SHARE * page_width or hh > 20:
            continue
        cy = y + hh // 2
        if any(g.xs[0] - 5 <= x + w // 2 <= g.xs[-1] + 5 and g.ys[0] - 5 <= cy <= g.ys[-1] + 5 for g in grids):
            continue
        rules.append((int(x), int(x + w), int(cy)))
    groups: list[list[tuple[int, int, int]]] = []
    for rule in sorted(rules, key=lambda r: (r[0], r[2])):
        for g in groups:
            if abs(g[0][0] - rule[0]) <= RULE_TOLERANCE and abs(g[0][1] - rule[1]) <= RULE_TOLERANCE:
                g.append(rule)
                break
        else:
            groups.append([rule])
    bands = []
    for g in groups:
        if len(g) < MIN_RULES:
            continue
        ys = sorted(r[2] for r in g)
        # rules of one table follow each other closely; a long gap starts another table
        run = [ys[0]]
        for y in ys[1:]:
            if y - run[-1] > 0.25 * page_width:
                if len(run) >= MIN_RULES:
                    bands.append(Band(min(r[0] for r in g), max(r[1] for r in g), run))
                run = []
            run.append(y)
        if len(run) >= MIN_RULES:
            bands.append(Band(min(r[0] for r in g), max(r[1] for r in g), run))
    return bands


def erase_lines(gray: np.ndarray, h: np.ndarray, v: np.ndarray) -> np.ndarray:
    import cv2

    out = gray.copy()
    out[cv2.dilate(h | v, np.ones((5, 5), np.uint8)) > 0] = 255
    return out


# ---------------------------------------------------------------- words to text


def join_words(words: list[Word]) -> str:
    """Words of one line, left to right: a space only between two ASCII words set well apart."""
    out = ""
    prev = None
    for w in sorted(words, key=lambda w: w.x0):
        if prev is not None and out and _ASCII_ALNUM.match(out[-1]) and _ASCII_ALNUM.match(w.text[0]) \
                and w.x0 - prev.x1 > 0.35 * max(prev.height, w.height, 1):
            out += " "
        out += w.text
        prev = w
    return out


def text_lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines by their vertical centres, top to bottom."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.cy):
        if lines:
            last = lines[-1]
            top, bottom = min(x.top for x in last), max(x.bottom for x in last)
            centre = (top + bottom) / 2
            if abs(w.cy - centre) <= 0.5 * max(bottom - top, w.height):
                last.append(w)
                continue
        lines.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def cell_text(words: list[Word]) -> str:
    """A cell's words as one string: wrapped lines joined, then OCR confusions fixed if it is a number."""
    parts = [join_words(line) for line in text_lines(words)]
    out = ""
    for part in parts:
        if out and _ASCII_ALNUM.match(out[-1]) and part and _ASCII_ALNUM.match(part[0]) and not _numeric_join(out, part):
            out += " "
        out += part
    return fix_number(out)


def _numeric_join(a: str, b: str) -> bool:
    return bool(_NUMERIC_SHAPE.match(fix_number(a + b)))


def fix_number(text: str) -> str:
    """Map the usual OCR confusions (O→0, l/I/|→1, full-width digits and marks) in a cell that then
    reads as a number; any other text is returned as read."""
    squeezed = re.sub(r"\s+", "", text)
    if not squeezed or not _CONFUSABLE_TOKEN.match(squeezed) or not re.search(r"[0-9０-９]", squeezed):
        return text
    mapped = squeezed.translate(_NUMERIC_CONFUSIONS)
    return mapped if _NUMERIC_SHAPE.match(mapped) else text


# ---------------------------------------------------------------- one page


@dataclass
class OcrPage:
    number: int
    width: float  # points
    height: float
    scale: float  # points per pixel
    items: list  # (kind, top_px, payload)
    n_words: int


def _points(scale: float, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    return tuple(round(v * scale, 2) for v in box)  # type: ignore[return-value]


def _inside(w: Word, box: tuple[int, int, int, int], pad: int = 4) -> bool:
    return box[0] - pad <= w.cx <= box[2] + pad and box[1] - pad <= w.cy <= box[3] + pad


def _has_ink(ink: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    x0, y0, x1, y1 = box
    inner = ink[y0 + CELL_MARGIN:y1 - CELL_MARGIN, x0 + CELL_MARGIN:x1 - CELL_MARGIN]
    return inner.size > 0 and int((inner > 0).sum()) >= MIN_INK


def _reread(clean: np.ndarray, box: tuple[int, int, int, int]) -> list[Word]:
    """Read one cell on its own (a lone character the page pass missed)."""
    x0, y0, x1, y1 = box
    crop = clean[y0 + 2:y1 - 2, x0 + 2:x1 - 2]
    if crop.size == 0:
        return []
    pad = 30
    framed = np.full((crop.shape[0] + 2 * pad, crop.shape[1] + 2 * pad), 255, np.uint8)
    framed[pad:pad + crop.shape[0], pad:pad + crop.shape[1]] = crop
    words = run_tesseract(framed, psm=6, offset=(x0 + 2 - pad, y0 + 2 - pad))
    if not words:
        words = run_tesseract(framed, psm=10, offset=(x0 + 2 - pad, y0 + 2 - pad))
    return [w for w in words if w.conf >= 20]


def _grid_table(grid: Grid, words: list[Word], ink: np.ndarray, clean: np.ndarray, page: int,
                scale: float, used: set[int]) -> TableParts | None:
    nr, nc = len(grid.ys) - 1, len(grid.xs) - 1
    if nr < 2 or nc < 2:
        return None
    text: dict[tuple[int, int], RawCell] = {}
    for r0, c0, r1, c1 in grid.cells:
        box = (grid.xs[c0], grid.ys[r0], grid.xs[c1 + 1], grid.ys[r1 + 1])
        inside = [w for w in words if id(w) not in used and box[0] <= w.cx < box[2] and box[1] <= w.cy < box[3]]
        used.update(id(w) for w in inside)
        if not inside and _has_ink(ink, box):
            inside = _reread(clean, box)
        text[(r0, c0)] = RawCell(cell_text(inside), page, *_points(scale, box))
    rows = []
    for r in range(nr):
        row = []
        for c in range(nc):
            cell = text.get((r, c))
            if cell is None:  # covered by a merged cell: empty, placed at its row and column
                cell = RawCell("", page, *_points(scale, (grid.xs[c], grid.ys[r], grid.xs[c + 1], grid.ys[r + 1])))
            row.append(cell)
        rows.append(row)
    return _parts(rows, page, f"OCR ({ENGINE} {LANGS}, {DPI} dpi): ruled grid detected in the image "
                              f"(OpenCV line masks), {nr} × {nc} cells, words placed by their centres")


def _band_table(band: Band, words: list[Word], page: int, scale: float, used: set[int]) -> TableParts | None:
    """Rows between the rules; columns at empty x strips between the body rows' word runs."""
    inside = [w for w in words if id(w) not in used and band.x0 - 4 <= w.cx <= band.x1 + 4 and band.ys[0] <= w.cy <= band.ys[-1]]
    if not inside:
        return None
    rows_y = list(zip(band.ys, band.ys[1:]))
    body_rows = rows_y[1:] if len(rows_y) > 2 else rows_y
    body = [w for w in inside if any(a <= w.cy <= b for a, b in body_rows)]
    head = [w for w in inside if w not in body]
    height = float(np.median([w.height for w in inside]))
    edges = [band.x0] + [_edge(a, b, head) for a, b in _gaps(_runs(body, height), 1.2 * height)] + [band.x1]
    if len(edges) - 1 < 2:
        return None
    used.update(id(w) for w in inside)
    grid = []
    for a, b in rows_y:
        row = []
        for c in range(len(edges) - 1):
            box = (edges[c], a, edges[c + 1], b)
            row.append(RawCell(cell_text([w for w in inside if box[0] <= w.cx < box[2] and a <= w.cy < b]),
                               page, *_points(scale, box)))
        grid.append(row)
    return _parts(grid, page, f"OCR ({ENGINE} {LANGS}, {DPI} dpi): horizontal rules only, rows from rules "
                              f"detected in the image, columns from word alignment")


def _runs(words: list[Word], height: float) -> list[tuple[int, int]]:
    """x spans of words of one line set close together (one cell's text)."""
    spans = []
    for line in text_lines(words):
        run = [line[0].x0, line[0].x1]
        for w in line[1:]:
            if w.x0 - run[1] <= 1.0 * height:
                run[1] = max(run[1], w.x1)
            else:
                spans.append(tuple(run))
                run = [w.x0, w.x1]
        spans.append(tuple(run))
    return spans


def _gaps(spans: list[tuple[int, int]], min_gap: float) -> list[tuple[int, int]]:
    gaps, reach = [], None
    for a, b in sorted(spans):
        if reach is not None and a - reach >= min_gap:
            gaps.append((reach, a))
        reach = b if reach is None else max(reach, b)
    return gaps


def _edge(a: int, b: int, header: list[Word]) -> float:
    """A column boundary in the empty strip (a, b), where no header word is cut if possible."""
    free = [(a, b)]
    for w in header:
        free = [p for lo, hi in free for p in ((lo, min(hi, w.x0)), (max(lo, w.x1), hi)) if p[1] > p[0]]
    lo, hi = max(free, key=lambda g: g[1] - g[0], default=(a, b))
    return (lo + hi) / 2


def _parts(grid: list[list[RawCell]], page: int, reason: str) -> TableParts:
    n_header = split_header([[c.text for c in row] for row in grid])
    return TableParts(header=[[c.text for c in row] for row in grid[:n_header]], body=grid[n_header:],
                      page_start=page, page_end=page, method=METHOD, method_reason=reason)


def _pseudo_chars(words: list[Word], scale: float) -> list[dict]:
    """Words as pdfplumber-like characters (a word's box split evenly), for the lineless reader; one
    size per line, so cells of one table share it."""
    chars = []
    for line in text_lines(words):
        size = round(float(np.median([w.height for w in line])) * scale * 1.2 * 2) / 2
        for w in line:
            n = len(w.text)
            step = (w.x1 - w.x0) / n
            for i, ch in enumerate(w.text):
                chars.append({"text": ch, "x0": (w.x0 + i * step) * scale, "x1": (w.x0 + (i + 1) * step) * scale,
                              "top": w.top * scale, "bottom": w.bottom * scale, "size": size})
        # close the small gaps Tesseract leaves between the characters of one Chinese run
    return chars


def ocr_page(gray: np.ndarray, number: int, scale: float) -> OcrPage:
    """One page image read: tables and narrative lines, in pixels, with the items in points."""
    from .pdf import Line, PageTable

    ink, h, v = line_masks(gray)
    grids = find_grids(h, v)
    bands = find_bands(h, grids, gray.shape[1])
    clean = erase_lines(gray, h, v)
    ink_clean = ink.copy()
    ink_clean[clean == 255] = 0
    words = [w for w in run_tesseract(clean) if w.conf >= 0]
    used: set[int] = set()
    items = []
    for grid in grids:
        parts = _grid_table(grid, words, ink_clean, clean, number, scale, used)
        if parts is not None:
            items.append(PageTable(parts, _points(scale, grid.bbox)))
    for band in bands:
        parts = _band_table(band, words, number, scale, used)
        if parts is not None:
            items.append(PageTable(parts, _points(scale, band.bbox)))
    boxes = [t.bbox for t in items]
    rest = [w for w in words if id(w) not in used
            and not any(b[0] - 2 <= w.cx * scale <= b[2] + 2 and b[1] - 2 <= w.cy * scale <= b[3] + 2 for b in boxes)]
    # tables printed without any line: word-column alignment (the text-layer lineless reader)
    if sum(ch.isdigit() for w in rest for ch in w.text) >= 4:
        for t in find_lineless_tables(_pseudo_chars(rest, scale), number):
            for row in t.body:
                for cell in row:
                    cell.text = fix_number(cell.text)
            reason = (f"OCR ({ENGINE} {LANGS}, {DPI} dpi): no ruling lines, {len(t.body)} rows of aligned numbers, "
                      f"columns from empty x strips between words")
            parts = TableParts(header=t.header, body=t.body, page_start=number, page_end=number,
                               method=METHOD, method_reason=reason)
            items.append(PageTable(parts, t.bbox))
            rest = [w for w in rest if not (t.bbox[0] - 1 <= w.cx * scale <= t.bbox[2] + 1
                                            and t.bbox[1] - 1 <= w.cy * scale <= t.bbox[3] + 1)]
    for line in text_lines(rest):
        text = join_words(line)
        if not text or PAGE_NUMBER.match(text):
            continue
        x0, top = min(w.x0 for w in line), min(w.top for w in line)
        x1, bottom = max(w.x1 for w in line), max(w.bottom for w in line)
        size = float(np.median([w.height for w in line if _CJK.search(w.text)] or [bottom - top])) * scale
        lead = (line[0].x1 - line[0].x0) * scale if not _CJK.match(line[0].text) else \
            (line[0].x1 - line[0].x0) * scale / max(len(line[0].text), 1)
        items.append(Line(text, number, x0 * scale, x1 * scale, top * scale, bottom * scale, size, lead))
    items.sort(key=lambda it: it.top)
    return OcrPage(number, gray.shape[1] * scale, gray.shape[0] * scale, scale, items, len(words))


def _snap_sizes(pages: list[OcrPage]) -> None:
    """Give lines of about the same glyph height one size, so paragraphs are not split by OCR jitter."""
    from .pdf import Line

    lines = sorted((it for p in pages for it in p.items if isinstance(it, Line)), key=lambda l: l.size)
    cluster: list = []
    for line in lines + [None]:
        if line is not None and cluster and line.size - cluster[0].size <= 1.5:
            cluster.append(line)
            continue
        if cluster:
            size = round(float(np.median([c.size for c in cluster])), 1)
            for c in cluster:
                c.size = size
        cluster = [line] if line is not None else []


# ---------------------------------------------------------------- the document


def rasterise(data: bytes, dpi: int = DPI):
    """(page number, grayscale image, points per pixel) for each page, one at a time."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as exc:  # noqa: BLE001 - pdfium raises its own error types
        raise ExtractionError(f"OCR: cannot open the PDF for rasterising: {exc}") from exc
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                bitmap = page.render(scale=dpi / 72, grayscale=True)
                image = np.array(bitmap.to_pil().convert("L"))
            finally:
                page.close()
            yield i + 1, image, 72 / dpi
    finally:
        pdf.close()


def read_scanned_pdf(data: bytes, doc: Document, dpi: int = DPI, workers: int | None = None) -> Document:
    """Fill `doc` from a PDF whose pages are images, by OCR. Raises ExtractionError when OCR is missing."""
    from .pdf import PageContent, build_document

    if not ocr_available():
        raise ExtractionError(NO_OCR_REASON)
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    results: list[OcrPage] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        for number, image, scale in rasterise(data, dpi):
            pending.append(pool.submit(ocr_page, image, number, scale))
            while len(pending) > 2 * workers:
                results.append(pending.popleft().result())
        while pending:
            results.append(pending.popleft().result())
    if not results:
        raise ExtractionError("PDF has no pages")
    _snap_sizes(results)
    pages = [PageContent(p.number, p.items, p.n_words, p.height) for p in results]
    if not any(p.n_words for p in results):
        raise ExtractionError("no text layer (scanned PDF) and OCR found no text on its pages")
    built = build_document(pages)
    doc.page_offsets = built.page_offsets
    fill_document(doc, built.text(), built.parts, built.narrative)
    doc.n_pages = len(pages)
    doc.findings.append(Finding(
        doc_id=doc.doc_id, check="ocr", severity="info",
        message=f"scanned PDF read by OCR ({engine_version()}, {LANGS}, {dpi} dpi): "
                f"a mismatch in its tables may be an OCR misreading; check the cell against the page image",
    ))
    return doc


def maybe_ocr(data: bytes, doc: Document) -> Document | None:
    """The PDF reader's hook for a PDF without a text layer: the document read by OCR, or None
    when OCR is not installed (the reader then raises its no-text-layer error)."""
    if not ocr_available():
        return None
    return read_scanned_pdf(data, doc)
