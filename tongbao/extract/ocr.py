"""Read a scanned (image-only) PDF bulletin with OCR: RapidOCR (PP-OCR models, installed with
tongbao from pip) by default, Tesseract (chi_sim+eng) where it is installed and RapidOCR is not,
or where TONGBAO_OCR_ENGINE=tesseract asks for it. Nothing is downloaded at run time. Set
TONGBAO_OCR=0 to switch OCR off.

With RapidOCR (scan_page.py), each page is rasterised in colour at its scan's own resolution, at
most RAPID_DPI, cleaned (seals, contrast, noise, quarter turns, skew: scan_cleanup.py), its text
lines detected and read once (ocr_engine.py), its ruled tables found from the image's lines as
below and filled from the characters (ocr_cells.py); every cell keeps its recognition score.

With Tesseract, each page is rasterised with pypdfium2 at DPI, then:
- ruling lines are found in the image with OpenCV morphology (openings with long thin kernels give
  a horizontal and a vertical line mask); a connected set of both is a ruled grid whose cells come
  from the line positions, two neighbouring grid cells being one merged cell where no line
  separates them; a band of three or more long horizontal rules of equal extent is a table ruled
  with horizontal lines only (rows from rules, columns from empty x strips between words);
- the table lines are erased and every cell is read on its own: the cells' printed parts are
  stacked into one tall mosaic image per table and read in one Tesseract call (chi_sim, TSV);
  cells that look like numbers are read again with eng and a digits-only whitelist, which keeps
  decimal points the Chinese model drops; OCR confusions in numbers (O→0, l/I/|→1, full-width
  digits) are mapped deliberately, never by blanket NFKC;
- the rest of the page (tables whitened) is read by Tesseract's layout analysis at half
  resolution (large type reads better so) into words with boxes, grouped into narrative lines
  (no space invented between Chinese characters) and handed with the tables to the PDF reader's
  document builder, so paragraphs, titles, annexes, units and notes are found as for a text layer;
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

from ..pdfium_lock import PDFIUM_LOCK
from ..errors import ExtractionError
from ..model import Document, Finding
from .geometry import PixelBox, gaps, group_lines
from .document import fill_document
from .pdf_lineless import find_lineless_tables
from .pdf_pages import Line, PageContent, PageTable, build_document
from .tables import RawCell, TableParts
from .text_layout import PAGE_NUMBER, split_header

ENGINE = "tesseract"
METHOD = "ocr-tesseract"
METHOD_TESSERACT = METHOD
METHOD_RAPID = "ocr-rapidocr"
RAPID = "rapidocr"
ENGINE_ENV = "TONGBAO_OCR_ENGINE"  # rapidocr | tesseract: which engine reads scans (default: RapidOCR when installed)
RAPID_DPI = 200  # at most: 10-pt table type is then ~28 px high, the recogniser reads lines at 48 px
MIN_DPI = 100  # a page image declaring less is rasterised at this
MAX_PAGE_WORKERS = 2  # pages of one file read at once (each holds one page image and its masks)
LANGS = "chi_sim+eng"  # installed and needed: chi_sim reads text (it has digits and Latin), eng reads numbers
TEXT_LANGS = "chi_sim"  # chi_sim+eng turns Chinese runs into Latin look-alikes ("各入驻部门(Biz)")
NUMBER_LANGS = "eng"
DPI = 300
NARRATIVE_SCALE = 0.5  # narrative read at 150 dpi: 16-22 pt type is read better than at 300 dpi
PAGE_PSM = 11  # sparse text: finds the most words on pages with tables (3 and 6 drop table cells)
NO_OCR_REASON = ("no text layer (scanned PDF): install OCR with `make ocr` "
                 "(pip packages rapidocr and onnxruntime, installed with tongbao)")
TIMEOUT = 600  # seconds for one Tesseract call
LINE_BREAK = 3  # pixels: gaps this long in a scanned rule are bridged before rules are looked for
LINE_KERNEL_SHARE = 1 / 40  # of the page width: shortest run of ink taken as a ruling line (≈ 62 px at 300 dpi)
MIN_RULE_WIDTH_SHARE = 0.3  # of the page width: a horizontal-only table's rules are at least this long
RULE_TOLERANCE = 12  # pixels: rules of one horizontal-only table start and end within this
MIN_RULES = 3
CELL_MARGIN = 4  # pixels kept off a cell's border when looking for ink in it
MIN_INK = 12  # dark pixels in a cell (lines erased) that mean something is printed there
LINELESS_MIN_ROWS, LINELESS_MIN_COLS = 3, 3  # stricter than for a text layer: OCR noise must not make tables

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9%.]")
# OCR confusions fixed in numbers only: a cell that is digits once these are mapped (and holds a digit)
_NUMERIC_CONFUSIONS = str.maketrans({
    "O": "0", "o": "0", "〇": "0", "l": "1", "I": "1", "|": "1",
    **{chr(0xFF10 + i): str(i) for i in range(10)}, "．": ".", "％": "%", "－": "-", "，": ",",
})
_NUMERIC_SHAPE = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?%?$")
# a document number's year brackets, which OCR reads as any bracket: 江政务督【2023 ] 7号 → 〔2023〕7号
_DOC_NUMBER_BRACKETS = re.compile(r"(?<=[\u4e00-\u9fff])\s*[\[【〔(（［{]\s*((?:19|20)\d{2})\s*[\]】〕)）］}]\s*(\d{1,4})\s*号")
_ANGLE_FOR_PAREN = re.compile(r"〈([^〈〉()（）]*[)）])")
_CODE = re.compile(r"^([A-HJ-NP-Z]{1,3})([0-9OolI|]{1,6})$")  # window numbers such as A01
_CONFUSABLE_TOKEN = re.compile(r"^[0-9０-９OolI|〇．.,，％%+\-－]+$")


# ---------------------------------------------------------------- the engine


def _tesseract() -> str | None:
    return os.environ.get("TONGBAO_TESSERACT") or shutil.which("tesseract")


@functools.lru_cache(maxsize=4)
def _engine_ready(cmd: str | None) -> bool:
    if not cmd:
        return False
    try:
        out = subprocess.run([cmd, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    langs = set((out.stdout + out.stderr).split())
    return all(lang in langs for lang in LANGS.split("+"))


def ocr_available() -> bool:
    """An OCR engine is installed (RapidOCR, or Tesseract with chi_sim and eng) and TONGBAO_OCR is not 0."""
    return engine_name() is not None


def engine_name() -> str | None:
    """The engine that reads scans: RapidOCR unless TONGBAO_OCR_ENGINE asks for Tesseract; None when off or missing."""
    if os.environ.get("TONGBAO_OCR", "1").strip().lower() in ("0", "no", "off", "false"):
        return None
    from . import ocr_engine

    wanted = os.environ.get(ENGINE_ENV, "").strip().lower()
    if wanted == ENGINE:
        return ENGINE if _engine_ready(_tesseract()) else None
    if ocr_engine.available():
        return RAPID
    return ENGINE if wanted != RAPID and _engine_ready(_tesseract()) else None


def engine_version() -> str:
    if engine_name() == RAPID:
        from . import ocr_engine
        return ocr_engine.version()
    return tesseract_version()


def tesseract_version() -> str:
    cmd = _tesseract()
    try:
        out = subprocess.run([cmd, "--version"], capture_output=True, text=True, timeout=30, check=False)
        return (out.stdout or out.stderr).split("\n", 1)[0].strip()
    except (OSError, subprocess.SubprocessError, TypeError):
        return ENGINE


@dataclass
class Word(PixelBox):
    """A word (Tesseract) or text line (RapidOCR) read, with its box in pixels and, from RapidOCR,
    its characters' boxes and scores."""

    text: str
    x0: int
    top: int
    x1: int
    bottom: int
    conf: float
    chars: list | None = None


def run_tesseract(image: np.ndarray, psm: int = PAGE_PSM, langs: str = TEXT_LANGS, config: dict | None = None,
                  offset: tuple[int, int] = (0, 0), dpi: int = DPI) -> list[Word]:
    """Words of a grayscale image (boxes shifted by `offset`), from Tesseract's TSV output."""
    import cv2

    ok, png = cv2.imencode(".png", image)
    if not ok:
        raise ExtractionError("OCR: could not encode the page image")
    cmd = [_tesseract() or "tesseract", "stdin", "stdout", "-l", langs, "--psm", str(psm), "--dpi", str(dpi)]
    for key, value in (config or {}).items():
        cmd += ["-c", f"{key}={value}"]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # pages run in parallel instead
    try:
        out = subprocess.run(cmd + ["tsv"], input=png.tobytes(), capture_output=True, timeout=TIMEOUT, env=env, check=False)
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


def bridged_vertical(ink: np.ndarray) -> np.ndarray:
    """Vertical rules with breaks of a pixel or two bridged before the long opening: JPEG and noise
    cut a thin scanned rule into runs shorter than the kernel (a header cell's border then seems
    missing and two cells merge). Used only to tell whether a rule found elsewhere separates two
    cells; stacked characters are further apart than the bridge, so no rule is made from text."""
    import cv2

    k = max(15, int(ink.shape[1] * LINE_KERNEL_SHARE))
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((LINE_BREAK, 1), np.uint8))
    v = cv2.morphologyEx(closed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, k)))
    return cv2.morphologyEx(v, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 9)))


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


def find_grids(h: np.ndarray, v: np.ndarray, v_cells: np.ndarray | None = None) -> list[Grid]:
    """Ruled grids: connected sets of horizontal and vertical lines, at least 2 × 2 lines each way;
    `v_cells` (bridged_vertical), when given, decides which of the found rules separate two cells."""
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
        grids.append(Grid(xs, ys, _merged_cells(xs, ys, h, v if v_cells is None else v | v_cells)))
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


def erase_lines(gray: np.ndarray, h: np.ndarray, v: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """The page with its table lines (inside `boxes`) and long rules whitened; the strokes of large
    characters, which the line masks also hold, are left alone elsewhere."""
    import cv2

    keep = np.zeros_like(h)
    lines = h | v
    for x0, y0, x1, y1 in boxes:
        keep[max(0, y0 - 6):y1 + 7, max(0, x0 - 6):x1 + 7] = lines[max(0, y0 - 6):y1 + 7, max(0, x0 - 6):x1 + 7]
    n, labels, stats, _ = cv2.connectedComponentsWithStats(h)
    for i in range(1, n):
        if stats[i, 2] >= MIN_RULE_WIDTH_SHARE * gray.shape[1] and stats[i, 3] <= 20:
            keep[labels == i] = 255
    out = gray.copy()
    out[cv2.dilate(keep, np.ones((5, 5), np.uint8)) > 0] = 255
    return out


# ---------------------------------------------------------------- words to text


def join_words(words: list[Word]) -> str:
    """Words of one line, left to right: a space only between two ASCII words set well apart."""
    out = ""
    words = [w for w in words if w.text]
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
    def same_line(line: list[Word], w: Word) -> bool:
        top, bottom = min(x.top for x in line), max(x.bottom for x in line)
        return abs(w.cy - (top + bottom) / 2) <= 0.5 * max(bottom - top, w.height)

    return [sorted(line, key=lambda w: w.x0) for line in group_lines(words, lambda w: w.cy, same_line)]


def fix_brackets(text: str) -> str:
    """〈 read for an opening parenthesis that a ）or ) closes (〈含市房屋交易中心) → （含市房屋交易中心)."""
    return _ANGLE_FOR_PAREN.sub(r"（\1", text)


def cell_text(words: list[Word]) -> str:
    """A cell's words as one string: wrapped lines joined, then OCR confusions fixed if it is a number."""
    parts = [join_words(line) for line in text_lines(words)]
    out = ""
    for part in parts:
        if out and _ASCII_ALNUM.match(out[-1]) and part and _ASCII_ALNUM.match(part[0]) and not _numeric_join(out, part):
            out += " "
        out += part
    return fix_number(fix_brackets(out))


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
    items: list  # Line | PageTable, top to bottom
    n_words: int
    cleanup: dict | None = None  # what scan clean-up did (quarter turns, skew), RapidOCR only


def points(scale: float, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """A pixel box in PDF points."""
    return tuple(round(float(v) * scale, 2) for v in box)  # type: ignore[return-value]


_points = points


def doubtful_number(text: str) -> bool:
    """Looks like a number (digits, no Chinese) but is not a clean one once confusions are mapped."""
    return bool(text.strip()) and _number_like(text) and not _NUMERIC_SHAPE.match(fix_number(text).replace(" ", ""))


def drop_overlaps(words: list[Word]) -> list[Word]:
    """Two detected lines on one printed line that overlap (a title read as "…“好差评”5" and "5月考评表"):
    the later one's characters over the earlier one are dropped."""
    out: list[Word] = []
    for line in text_lines(words):
        kept: list[Word] = []
        for w in line:
            prev = kept[-1] if kept else None
            # the earlier line ends where its last character does (its box is padded past it)
            edge = max(c.x1 for c in prev.chars) if prev is not None and prev.chars else prev.x1 if prev else 0
            if prev is not None and w.chars and w.x0 < edge and len(w.chars) == len(w.text):
                rest = [c for c in w.chars if c.cx > edge]
                if not rest:
                    continue
                w = Word("".join(c.text for c in rest), int(min(c.x0 for c in rest)), w.top, w.x1, w.bottom, w.conf, rest)
            kept.append(w)
        out += kept
    return out


MOSAIC_GAP = 48  # pixels of white between two cells stacked in a mosaic
MOSAIC_MAX_HEIGHT = 20000
DIGITS = "0123456789.%-"


def _crop(clean: np.ndarray, ink: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray | None:
    """The printed part of a cell (its ink's bounding box plus a margin), or None when blank."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    m = CELL_MARGIN
    inner = ink[y0 + m:y1 - m, x0 + m:x1 - m]
    if inner.size == 0 or int((inner > 0).sum()) < MIN_INK:
        return None
    rows, cols = np.flatnonzero(inner.any(axis=1)), np.flatnonzero(inner.any(axis=0))
    pad = 6
    top, bottom = max(0, y0 + m + rows[0] - pad), y0 + m + rows[-1] + pad + 1
    left, right = max(0, x0 + m + cols[0] - pad), x0 + m + cols[-1] + pad + 1
    return clean[top:bottom, left:right]


def read_cells(crops: list[np.ndarray | None], langs: str = TEXT_LANGS, config: dict | None = None) -> list[list[Word]]:
    """Each crop's words, read in one Tesseract call per mosaic: the crops stacked one under the
    other with white between them, so each cell is read as lines of its own."""
    out: list[list[Word]] = [[] for _ in crops]
    order = [i for i, c in enumerate(crops) if c is not None]
    while order:
        chunk, height = [], MOSAIC_GAP
        while order and (not chunk or height + crops[order[0]].shape[0] + MOSAIC_GAP <= MOSAIC_MAX_HEIGHT):
            i = order.pop(0)
            chunk.append((i, height))
            height += crops[i].shape[0] + MOSAIC_GAP
        width = max(crops[i].shape[1] for i, _ in chunk) + 2 * MOSAIC_GAP
        canvas = np.full((height, width), 255, np.uint8)
        for i, y in chunk:
            c = crops[i]
            canvas[y:y + c.shape[0], MOSAIC_GAP:MOSAIC_GAP + c.shape[1]] = c
        words = run_tesseract(canvas, psm=6, langs=langs, config=config)
        for w in words:
            for i, y in chunk:
                if y - MOSAIC_GAP / 2 <= w.cy < y + crops[i].shape[0] + MOSAIC_GAP / 2:
                    out[i].append(w)
                    break
    return out


def _number_like(text: str) -> bool:
    """Read as a number, or a short run of digits and marks with no Chinese (9.: for 9.1), or nothing."""
    t = text.replace(" ", "")
    return not t or (len(t) <= 14 and not _CJK.search(t) and sum(ch.isdigit() for ch in t) >= max(1, len(t) // 2))


def _choose_number(general: str, digits: str) -> str:
    """A numeric cell's reading: the digits-only reading when it is a number, except that a
    decimal point the general reading saw (and the digits reading lost) is kept."""
    g, d = fix_number(general), fix_number(digits)
    code = _CODE.match(general.replace(" ", ""))
    if code:  # a code such as A01: its letter from the general reading, its digits from the digits reading
        tail = d if d.isdigit() else code.group(2).translate(_NUMERIC_CONFUSIONS)
        return code.group(1) + tail
    g_num, d_num = bool(_NUMERIC_SHAPE.match(g)), bool(_NUMERIC_SHAPE.match(d))
    if d_num and g_num and g.replace(".", "") == d.replace(".", "") and g.count(".") > d.count("."):
        return g
    if d_num:
        return d
    return g


def cell_texts(clean: np.ndarray, ink: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> list[str]:
    """Text of each cell box: read with chi_sim+eng, and number-looking cells again with a
    digits-only reading, which keeps decimal points the general model drops."""
    crops = [_crop(clean, ink, b) for b in boxes]
    texts = [cell_text(ws) for ws in read_cells(crops)]
    numeric = [i for i, t in enumerate(texts) if crops[i] is not None and _number_like(t)]
    if numeric:
        again = read_cells([crops[i] for i in numeric], langs=NUMBER_LANGS, config={"tessedit_char_whitelist": DIGITS})
        for i, ws in zip(numeric, again):
            texts[i] = _choose_number(texts[i], cell_text(ws))
    return texts


def _grid_table(grid: Grid, clean: np.ndarray, ink: np.ndarray, page: int, scale: float) -> TableParts | None:
    nr, nc = len(grid.ys) - 1, len(grid.xs) - 1
    if nr < 2 or nc < 2:
        return None
    boxes = [(grid.xs[c0], grid.ys[r0], grid.xs[c1 + 1], grid.ys[r1 + 1]) for r0, c0, r1, c1 in grid.cells]
    text: dict[tuple[int, int], RawCell] = {}
    for (r0, c0, _r1, _c1), box, t in zip(grid.cells, boxes, cell_texts(clean, ink, boxes)):
        text[(r0, c0)] = RawCell(t, page, *_points(scale, box))
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
                              f"(OpenCV line masks), {nr} × {nc} cells, each cell read on its own")


def _band_table(band: Band, clean: np.ndarray, ink: np.ndarray, page: int, scale: float) -> TableParts | None:
    """Rows between the rules; columns at empty x strips between the body rows' word runs."""
    x0, y0, x1, y1 = band.bbox
    inside = run_tesseract(clean[y0:y1, x0:x1], psm=PAGE_PSM, offset=(x0, y0))
    if not inside:
        return None
    layout = band_layout(band, inside)
    if layout is None:
        return None
    rows_y, edges = layout
    boxes = [(edges[c], a, edges[c + 1], b) for a, b in rows_y for c in range(len(edges) - 1)]
    texts = iter(cell_texts(clean, ink, boxes))
    it = iter(boxes)
    grid = [[RawCell(next(texts), page, *_points(scale, next(it))) for _c in range(len(edges) - 1)] for _r in rows_y]
    return _parts(grid, page, f"OCR ({ENGINE} {LANGS}, {DPI} dpi): horizontal rules only, rows from rules "
                              f"detected in the image, columns from word alignment, each cell read on its own")


def band_layout(band: Band, inside: list) -> tuple[list[tuple[int, int]], list[float]] | None:
    """(row y spans, column x edges) of a table ruled with horizontal rules only: rows between the
    rules, columns at the empty x strips between the body rows' word runs (None: fewer than 2)."""
    rows_y = list(zip(band.ys, band.ys[1:]))
    body_rows = rows_y[1:] if len(rows_y) > 2 else rows_y
    body = [w for w in inside if any(a <= w.cy <= b for a, b in body_rows)]
    head = [w for w in inside if w not in body]
    if not body:
        return None
    height = float(np.median([w.height for w in inside]))
    edges = [band.x0] + [column_edge(a, b, head) for a, b in gaps(word_runs(body, height), 1.2 * height)] + [band.x1]
    return (rows_y, edges) if len(edges) - 1 >= 2 else None


def word_runs(words: list[Word], height: float) -> list[tuple[int, int]]:
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


def column_edge(a: int, b: int, header: list[Word]) -> float:
    """A column boundary in the empty strip (a, b), where no header word is cut if possible."""
    free = [(a, b)]
    for w in header:
        free = [p for lo, hi in free for p in ((lo, min(hi, w.x0)), (max(lo, w.x1), hi)) if p[1] > p[0]]
    lo, hi = max(free, key=lambda g: g[1] - g[0], default=(a, b))
    return (lo + hi) / 2


def table_parts(grid: list[list[RawCell]], page: int, reason: str, method: str = METHOD_RAPID) -> TableParts:
    """A table's rows as TableParts: header rows split off as the text layer's reader splits them."""
    n_header = split_header([[c.text for c in row] for row in grid])
    return TableParts(header=[[c.text for c in row] for row in grid[:n_header]], body=grid[n_header:],
                      page_start=page, page_end=page, method=method, method_reason=reason)


def _parts(grid: list[list[RawCell]], page: int, reason: str) -> TableParts:
    return table_parts(grid, page, reason, METHOD)


def _pseudo_chars(words: list[Word], scale: float) -> list[dict]:
    """Words as pdfplumber-like characters (a word's box split evenly), for the lineless reader; one
    size per line, so cells of one table share it."""
    chars = []
    for line in text_lines(words):
        size = round(float(np.median([w.height for w in line])) * scale * 1.2 * 2) / 2
        for w in line:
            if w.chars and len(w.chars) == len(w.text):  # RapidOCR placed each character
                chars += [{"text": c.text, "x0": c.x0 * scale, "x1": c.x1 * scale, "top": w.top * scale,
                           "bottom": w.bottom * scale, "size": size} for c in w.chars]
                continue
            n = len(w.text)
            step = (w.x1 - w.x0) / n
            for i, ch in enumerate(w.text):
                chars.append({"text": ch, "x0": (w.x0 + i * step) * scale, "x1": (w.x0 + (i + 1) * step) * scale,
                              "top": w.top * scale, "bottom": w.bottom * scale, "size": size})
    return chars


def narrative_words(image: np.ndarray) -> list[Word]:
    """Words of the page outside its tables, by Tesseract's page layout analysis on the image at
    NARRATIVE_SCALE (large type such as titles and red headers reads far better downscaled)."""
    import cv2

    small = cv2.resize(image, None, fx=NARRATIVE_SCALE, fy=NARRATIVE_SCALE, interpolation=cv2.INTER_AREA)
    k = 1 / NARRATIVE_SCALE
    return [Word(w.text, int(w.x0 * k), int(w.top * k), int(w.x1 * k), int(w.bottom * k), w.conf)
            for w in run_tesseract(small, psm=3, dpi=int(DPI * NARRATIVE_SCALE)) if w.conf >= 0]


def ocr_page(gray: np.ndarray, number: int, scale: float) -> OcrPage:
    """One page image read by Tesseract: tables (cell by cell) and narrative lines (page layout analysis)."""
    ink, h, v = line_masks(gray)
    grids = find_grids(h, v)
    bands = find_bands(h, grids, gray.shape[1])
    clean = erase_lines(gray, h, v, [g.bbox for g in grids] + [b.bbox for b in bands])
    ink = ink.copy()
    ink[clean == 255] = 0
    items = []
    for grid in grids:
        parts = _grid_table(grid, clean, ink, number, scale)
        if parts is not None:
            items.append(PageTable(parts, _points(scale, grid.bbox)))
    for band in bands:
        parts = _band_table(band, clean, ink, number, scale)
        if parts is not None:
            items.append(PageTable(parts, _points(scale, band.bbox)))
    rest_image = clean.copy()
    for t in items:
        bx0, by0, bx1, by1 = (int(round(c / scale)) for c in t.bbox)
        rest_image[max(0, by0 - 4):by1 + 5, max(0, bx0 - 4):bx1 + 5] = 255
    rest = narrative_words(rest_image)
    return finish_page(items, rest, number, scale, gray.shape, f"{ENGINE} {LANGS}, {DPI} dpi", METHOD)


def finish_page(items: list, rest: list[Word], number: int, scale: float, shape: tuple[int, int],
                label: str, method: str = METHOD_RAPID) -> OcrPage:
    """The page's tables (`items`) with the words outside them (`rest`): a lineless table found in
    the words, then the rest as narrative lines, everything top to bottom."""
    n_words = len(rest) + sum(1 for t in items for row in t.parts.body for c in row if c.text)
    # tables printed without any line: word-column alignment (the text layer's lineless reader)
    if sum(ch.isdigit() for w in rest for ch in w.text) >= 6:
        for t in find_lineless_tables(_pseudo_chars(rest, scale), number):
            if len(t.body) < LINELESS_MIN_ROWS or len(t.body[0]) < LINELESS_MIN_COLS:
                continue
            for row in t.body:
                for cell in row:
                    cell.text = fix_number(cell.text)
            reason = (f"OCR ({label}): no ruling lines, {len(t.body)} rows of aligned numbers, "
                      f"columns from empty x strips between words")
            parts = TableParts(header=t.header, body=t.body, page_start=number, page_end=number,
                               method=method, method_reason=reason)
            _score_lineless(parts, rest, scale)
            items.append(PageTable(parts, t.bbox))
            rest = [w for w in rest if not (t.bbox[0] - 1 <= w.cx * scale <= t.bbox[2] + 1
                                            and t.bbox[1] - 1 <= w.cy * scale <= t.bbox[3] + 1)]
    for line in text_lines(rest):
        text = fix_brackets(_DOC_NUMBER_BRACKETS.sub(r"〔\1〕\2号", join_words(line)))
        if not text or PAGE_NUMBER.match(text):
            continue
        x0, top = min(w.x0 for w in line), min(w.top for w in line)
        x1, bottom = max(w.x1 for w in line), max(w.bottom for w in line)
        size, lead = _size_and_lead(line, scale)
        items.append(Line(text, number, x0 * scale, x1 * scale, top * scale, bottom * scale, size, lead))
    items.sort(key=lambda it: it.top)
    return OcrPage(number, shape[1] * scale, shape[0] * scale, scale, items, n_words)


DIGIT_ADVANCE = 0.55  # of the font size: a digit or Latin letter's advance in a CJK font


def _size_and_lead(line: list[Word], scale: float) -> tuple[float, float]:
    """A narrative line's font size and the width of its first unbreakable run, in points. With
    RapidOCR's characters the size is the width from the first character to the last over their
    advances (a Chinese character or full-width mark one em, a digit or letter DIGIT_ADVANCE): a
    box's height varies with the quotes and brackets detected in it, one character's box with its
    neighbours. The run is the leading digits or letters, else the first character."""
    chars = sorted((c for w in line for c in (w.chars or [])), key=lambda c: c.x0)
    if len(chars) >= 4 and len(chars) == sum(len(w.text) for w in line):
        ems = sum(DIGIT_ADVANCE * len(c.text) if c.text.isascii() else len(c.text) for c in chars)
        run = 1
        while run < len(chars) and _ASCII_ALNUM.match(chars[0].text) and _ASCII_ALNUM.match(chars[run].text):
            run += 1
        return (chars[-1].x1 - chars[0].x0) / ems * scale, (chars[run - 1].x1 - chars[0].x0) * scale
    top, bottom = min(w.top for w in line), max(w.bottom for w in line)
    size = float(np.median([w.height for w in line if _CJK.search(w.text)] or [bottom - top])) * scale
    first = line[0]
    return size, (first.x1 - first.x0) * scale / (max(len(first.text), 1) if _CJK.match(first.text) else 1)


def _score_lineless(parts: TableParts, words: list[Word], scale: float) -> None:
    """Cells of a lineless table take the lowest score of the RapidOCR characters inside them."""
    chars = [c for w in words for c in (w.chars or [])]
    if not chars:
        return
    for row in parts.body:
        for cell in row:
            if cell.empty or cell.x0 is None:
                continue
            inside = [c.score for c in chars if cell.x0 - 0.5 <= c.cx * scale <= cell.x1 + 0.5
                      and cell.top - 0.5 <= c.cy * scale <= cell.bottom + 0.5]
            cell.score = min(inside) if inside else None


def _snap_sizes(pages: list[OcrPage]) -> None:
    """Give lines of about the same glyph height one size, so paragraphs are not split by OCR jitter."""
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


def native_dpi(page) -> float | None:
    """The resolution of the page's largest image (a scan's own), in dots per inch, if it has one."""
    import pypdfium2.raw as pdfium_c

    best = None
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
        try:
            px_w, _px_h = obj.get_px_size()
            left, _bottom, right, _top = obj.get_pos()
        except Exception:  # an image PDFium cannot measure
            continue
        if right - left > 1 and (best is None or right - left > best[1]):
            best = (px_w / ((right - left) / 72), right - left)
    return best[0] if best else None


def rasterise(data: bytes, dpi: int = DPI, numbers: list[int] | None = None, colour: bool = False,
              native: bool = False):
    """(page number, image, points per pixel) for each page (or each of `numbers`), one at a time;
    grey, or RGB with `colour`; at `dpi`, or with `native` at the scan's own resolution up to `dpi`."""
    import pypdfium2 as pdfium

    try:
        with PDFIUM_LOCK:
            pdf = pdfium.PdfDocument(data)
    except Exception as exc:  # pdfium raises its own error types
        raise ExtractionError(f"OCR: cannot open the PDF for rasterising: {exc}") from exc
    try:
        for i in range(len(pdf)):
            if numbers is not None and i + 1 not in numbers:
                continue
            with PDFIUM_LOCK:  # held per page, never across the yield
                page = pdf[i]
                try:
                    at = dpi
                    if native:
                        own = native_dpi(page)
                        at = int(round(max(MIN_DPI, min(dpi, own)))) if own else dpi
                    bitmap = page.render(scale=at / 72, grayscale=not colour)
                    image = np.array(bitmap.to_pil().convert("RGB" if colour else "L"))
                finally:
                    page.close()
            yield i + 1, image, 72 / at
    finally:
        with PDFIUM_LOCK:
            pdf.close()


def ocr_pages(data: bytes, dpi: int | None = None, numbers: list[int] | None = None,
              workers: int | None = None) -> list[PageContent]:
    """Every page (or each of `numbers`) rasterised and read by OCR, a few pages in flight at a time
    (each in flight holds one page image, so memory is bounded by `workers`, not by the file)."""
    rapid = engine_name() == RAPID
    workers = workers or max(1, min(MAX_PAGE_WORKERS if rapid else 4, os.cpu_count() or 1))
    if rapid:
        from .ocr_engine import Reader
        from .scan_page import read_page

        reader = Reader(workers)
        pages = rasterise(data, dpi or RAPID_DPI, numbers, colour=True, native=True)
        work = lambda image, number, scale: read_page(image, number, scale, reader)  # noqa: E731
    else:
        pages = rasterise(data, dpi or DPI, numbers)
        work = ocr_page
    results: list[OcrPage] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        for number, image, scale in pages:
            pending.append(pool.submit(work, image, number, scale))
            while len(pending) > workers:
                results.append(pending.popleft().result())
        while pending:
            results.append(pending.popleft().result())
    _snap_sizes(results)
    return [PageContent(p.number, p.items, p.n_words, p.height) for p in results]


def _ocr_finding(doc: Document, what: str) -> Finding:
    how = f"{engine_version()}, at most {RAPID_DPI} dpi" if engine_name() == RAPID else f"{tesseract_version()}, {LANGS}, {DPI} dpi"
    return Finding(doc_id=doc.doc_id, check="ocr", severity="info",
                   message=f"{what} read by OCR ({how}): "
                           f"a mismatch in its tables may be an OCR misreading; check the cell against the page image")


def read_scanned_pdf(data: bytes, doc: Document, dpi: int | None = None, workers: int | None = None) -> Document:
    """Fill `doc` from a PDF whose pages are images, by OCR. Raises ExtractionError when OCR is missing."""
    if not ocr_available():
        raise ExtractionError(NO_OCR_REASON)
    pages = ocr_pages(data, dpi, workers=workers)
    if not pages:
        raise ExtractionError("PDF has no pages")
    if not any(p.n_chars for p in pages):
        raise ExtractionError("no text layer (scanned PDF) and OCR found no text on its pages")
    built = build_document(pages)
    doc.page_offsets = built.page_offsets
    fill_document(doc, built.text(), built.parts, built.narrative)
    doc.n_pages = len(pages)
    doc.findings.append(_ocr_finding(doc, "scanned PDF"))
    return doc


def read_scanned_pages(data: bytes, pages: list[PageContent], scanned: list[int], doc: Document,
                       dpi: int | None = None) -> list[PageContent]:
    """A PDF with text on some pages and scans on others: the scanned pages read by OCR in their
    place. Without OCR they stay empty and a warning names them, so nothing is dropped unsaid."""
    listed = ("page " if len(scanned) == 1 else "pages ") + ", ".join(map(str, scanned))
    if not ocr_available():
        doc.findings.append(Finding(
            doc_id=doc.doc_id, check="ocr", severity="warning",
            message=f"scanned {listed} (images without a text layer) not read: install OCR (`make ocr`) to read them"))
        return pages
    read = {p.number: p for p in ocr_pages(data, dpi, numbers=scanned)}
    doc.findings.append(_ocr_finding(doc, f"scanned {listed}"))
    return [read.get(p.number, p) for p in pages]


def maybe_ocr(data: bytes, doc: Document) -> Document | None:
    """The PDF reader's hook for a PDF without a text layer: the document read by OCR, or None
    when OCR is not installed (the reader then raises its no-text-layer error)."""
    if not ocr_available():
        return None
    return read_scanned_pdf(data, doc)
