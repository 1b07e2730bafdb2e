"""Images of the page region a finding speaks of (PDF sources only), small enough for a report of hundreds.

One image per page the finding's cells are on (at most MAX_PAGES: its first page and the page of the
marked cell), put together from strips of the page: the table's header over the columns involved,
the row labels, and the cells compared, with what lies between left out (a grey band marks each cut).
The cell the finding is about (a sum's total, a percentage's rate, the part that exceeds its whole)
is filled and outlined in red; the other cells compared are outlined in blue. Images are 4-bit
palette PNGs (nine greys, the marks' colours and their blends), at most MAX_WIDTH x MAX_HEIGHT pixels.
"""
from __future__ import annotations

import base64
import io
import re
from collections import OrderedDict
from dataclasses import dataclass

from ..model import Document, Finding, Table

SCALE = 2.0  # pixels per PDF point of the page render; strips are scaled down from it
OUTPUT_SCALE = 1.5  # pixels per PDF point in the image, unless the region is too large
PNG_COMPRESSION = 6  # zlib level: 3× faster than optimize=True (level 9) for 3 % more bytes
MIN_SCALE = 0.9  # never smaller, for legibility: a region still too large is cut at its right or bottom edge
MAX_WIDTH = 900  # pixels
MAX_HEIGHT = 640  # pixels
PAD = 3.0  # points around each strip, so the outlines show
OUTSET = 2.0  # points: outlines drawn this far outside a cell's box (text-aligned cells hug their text)
JOIN_X = 30.0  # points: columns closer than this are shown with what lies between them
JOIN_Y = 6.0  # points: rows closer than this are one strip
MAX_ROWS = 12  # rows of a table shown in one image; beyond, the first and last few and the marked one
KEEP_ROWS = 4  # rows kept at each end when rows are left out
HEADER_REACH = 150.0  # points above the first body row searched for the table's header
HEADER_FIRST_GAP = 45.0  # points: the header's lowest line lies at most this far above the first row
HEADER_LINE_GAP = 14.0  # points between two lines of one header
HEADER_LINES = 4  # lines of text per header row, at most
HEADER_WIDER = 40.0  # points: a strip widens to show a label this much wider than its cells, not a group's
SEPARATOR = 7  # pixels of the grey band marking a cut
MAX_PAGES = 2  # images per finding: its first page and the page of the marked cell
CACHED_PAGES = 4  # page renders kept per document
FOCUS = (200, 0, 32)  # the cell the finding is about
COMPARED = (29, 78, 216)  # the other cells compared
FILL = 40  # opacity (of 255) of the marked cell's red fill
GAP_GREY = (225, 225, 225)  # the band marking a cut
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_SENTENCE = re.compile("[。，；：]")  # a header label is no sentence


@dataclass
class Crop:
    """One page region as a data URI, with what was left out of it."""

    uri: str
    page: int
    width: int
    height: int
    rows_left_out: int = 0
    cut: bool = False  # columns or rows between the strips were left out
    columns: tuple = ()  # the strips of the page shown, (x0, x1) in PDF points, left to right
    rows: tuple = ()  # and (top, bottom), top to bottom

    @property
    def nbytes(self) -> int:
        return len(self.uri)


@dataclass
class _Box:
    table_id: str | None
    row: int | None
    x0: float
    top: float
    x1: float
    bottom: float
    role: str  # "focus", "compared" or "label"
    named: bool = False  # the finding's message names its row (the row a total left out)


def _value(text: str | None) -> float | None:
    m = _NUMBER.search((text or "").replace(",", "").replace("，", ""))
    return float(m.group()) if m else None


def focus_index(finding: Finding) -> int | None:
    """Which of a finding's locations it is about: the last table cell printing the reported value
    (a sum's total, a percentage's rate, the part above its whole), else for a sum the total, last."""
    cells = [i for i, loc in enumerate(finding.locations) if "row" in loc and "col" in loc]
    if not cells:
        return None
    if finding.reported is not None:
        for i in reversed(cells):
            v = _value(finding.locations[i].get("text"))
            if v is not None and abs(v - finding.reported) <= 1e-9 * max(1.0, abs(v)):
                return i
    if finding.check in ("row_sum", "column_sum"):
        return cells[-1]
    return None


class PageRenderer:
    """Renders of one open PDF's pages and their text lines, each page rendered once (the caller holds
    PDFIUM_LOCK while using it)."""

    def __init__(self, pdf):
        self.pdf = pdf
        self._images: OrderedDict[int, object] = OrderedDict()
        self._lines: dict[int, list] = {}

    def __len__(self) -> int:
        return len(self.pdf)

    def image(self, number: int):
        if number not in self._images:
            self._images[number] = self.pdf[number - 1].render(scale=SCALE).to_pil().convert("RGB")
            while len(self._images) > CACHED_PAGES:
                self._images.popitem(last=False)
        self._images.move_to_end(number)
        return self._images[number]

    def lines(self, number: int) -> list[tuple[float, float, float, float, str]]:
        """The page's text runs as (x0, top, x1, bottom, text), top measured from the page's top."""
        if number not in self._lines:
            page = self.pdf[number - 1]
            height = page.get_height()
            text = page.get_textpage()
            runs = []
            for i in range(text.count_rects()):
                left, bottom, right, top = text.get_rect(i)
                runs.append((left, height - top, right, height - bottom, text.get_text_bounded(left, bottom, right, top).strip()))
            self._lines[number] = runs
        return self._lines[number]


def finding_crops(doc: Document, finding: Finding, pages: PageRenderer) -> list[Crop]:
    """The finding's page regions, one Crop per page its cells are on (the caller holds PDFIUM_LOCK)."""
    tables = {t.table_id: t for t in doc.tables}
    focus = focus_index(finding)
    named = set(re.findall(r"「([^」]+)」", finding.message or ""))
    by_page: dict[int, list[_Box]] = {}
    for i, loc in enumerate(finding.locations):
        if loc.get("page") is None or any(loc.get(k) is None for k in ("x0", "top", "x1", "bottom")):
            continue
        role = "focus" if i == focus else "compared"
        by_page.setdefault(int(loc["page"]), []).append(
            _Box(loc.get("table_id"), loc.get("row"), loc["x0"], loc["top"], loc["x1"], loc["bottom"], role,
                 bool(loc.get("row_label")) and loc.get("row_label") in named))
    numbers = [n for n in sorted(by_page) if 1 <= n <= len(pages)]
    if len(numbers) > MAX_PAGES:  # the first page (with the header) and the page of the marked cell
        marked = [n for n in numbers if any(b.role == "focus" for b in by_page[n])]
        numbers = sorted({numbers[0], *(marked or numbers[-1:])})[:MAX_PAGES]
    out = []
    for number in numbers:
        boxes = by_page[number]
        crop = _page_crop(pages, number, boxes, tables)
        if crop is not None:
            out.append(crop)
    return out


def _label_boxes(table: Table, row: int, page: int, left_of: float) -> list[_Box]:
    """The cells naming a row (its label columns, or the cell printing its label left of the cells)."""
    if row < 0 or row >= len(table.rows):
        return []
    cells = [c for c in table.rows[row] if c.page == page and c.x0 is not None and c.bottom is not None]
    labels = [c for c in cells if c.col < table.label_cols]
    label_text = next((c.row_label for c in cells if c.row_label), "")
    if label_text and not any(c.text == label_text for c in labels):
        named = [c for c in cells if c.text == label_text and c.x1 <= left_of + 1]
        if named:
            labels.append(max(named, key=lambda c: c.x1))
    return [_Box(table.table_id, row, c.x0, c.top, c.x1, c.bottom, "label") for c in labels]


def _header_band(pages: PageRenderer, number: int, table: Table) -> tuple[float, float, list] | None:
    """The table's header above its first body row on this page, from the page's text lines: the
    lines just above the row within the table's width, up to a gap, the table's title or its unit."""
    cells = [c for r in table.rows for c in r if c.page == number and c.top is not None and c.x0 is not None]
    if not cells:
        return None
    first = min(cells, key=lambda c: (c.row, c.top)).row
    y0 = min(c.top for c in cells if c.row == first)
    tx0, tx1 = min(c.x0 for c in cells), max(c.x1 for c in cells)
    runs = [r for r in pages.lines(number)
            if r[2] > tx0 and r[0] < tx1 and r[3] <= y0 + 1 and r[3] > y0 - HEADER_REACH and r[4]]
    lines: list[list] = []  # [top, bottom, runs]
    for run in sorted(runs, key=lambda r: -r[3]):
        for line in lines:
            if run[1] < line[1] and run[3] > line[0]:
                line[0], line[1] = min(line[0], run[1]), max(line[1], run[3])
                line[2].append(run)
                break
        else:
            lines.append([run[1], run[3], [run]])
    lines.sort(key=lambda l: -l[1])
    title = re.sub(r"\s+", "", table.title or "")
    top, taken = None, []
    for n, (line_top, line_bottom, line_runs) in enumerate(lines):
        text = re.sub(r"\s+", "", "".join(r[4] for r in sorted(line_runs)))
        gap = (y0 if top is None else top) - line_bottom
        if gap > (HEADER_FIRST_GAP if top is None else HEADER_LINE_GAP) or n >= HEADER_LINES * max(1, table.n_header_rows):
            break
        if (text.startswith(("附件", "单位：", "单位:")) or _SENTENCE.search(text)
                or (title and len(text) >= 4 and (text in title or title in text))):
            break
        top = line_top if top is None else min(top, line_top)
        taken += line_runs
    if top is None:
        return None
    return top, y0 - PAD - 2.0, taken  # padded, it stops above the first row (whose glyphs rise over their boxes)


def _merge(spans: list[tuple[float, float]], join: float) -> list[list[float]]:
    out: list[list[float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + join:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def _page_crop(pages: PageRenderer, number: int, boxes: list[_Box], tables: dict[str, Table]) -> Crop | None:
    from PIL import Image, ImageDraw

    marked = list(boxes)
    rows_of: dict[tuple, list[_Box]] = {}
    for b in marked:
        rows_of.setdefault((b.table_id, b.row), []).append(b)
    # rows: left out beyond MAX_ROWS (the first and last few, the focus row and rows the message names stay)
    keys = sorted(rows_of, key=lambda k: min(b.top for b in rows_of[k]))
    left_out = 0
    if len(keys) > MAX_ROWS:
        keep = set(keys[:KEEP_ROWS]) | set(keys[-KEEP_ROWS:]) | {k for k in keys if any(b.role == "focus" or b.named for b in rows_of[k])}
        left_out = len(keys) - len(keep)
        keys = [k for k in keys if k in keep]
        marked = [b for b in marked if (b.table_id, b.row) in keep]
    labels: list[_Box] = []
    for table_id, row in keys:
        table = tables.get(table_id)
        if table is not None and row is not None:
            labels += _label_boxes(table, row, number, min(b.x0 for b in rows_of[(table_id, row)]))
    every = marked + labels
    y_spans = [(min(b.top for b in every if (b.table_id, b.row) == k), max(b.bottom for b in every if (b.table_id, b.row) == k))
               for k in keys]
    header_runs: list = []
    for table_id in {k[0] for k in keys}:
        table = tables.get(table_id)
        band = _header_band(pages, number, table) if table is not None else None
        if band is not None:
            y_spans.append(band[:2])
            header_runs += band[2]
    x_spans = [(b.x0, b.x1) for b in every]
    for x0, _top, x1, _bottom, _text in header_runs:  # a column's label wider than its cells
        for a, b in list(x_spans):
            if x0 < b and x1 > a and x1 - x0 <= b - a + HEADER_WIDER:
                x_spans.append((x0, x1))
                break
    image = pages.image(number)
    page_w, page_h = image.width / SCALE, image.height / SCALE
    xs = [[max(0.0, a - PAD), min(page_w, b + PAD)] for a, b in _merge(x_spans, JOIN_X)]
    ys = [[max(0.0, a - PAD), min(page_h, b + PAD)] for a, b in _merge(y_spans, JOIN_Y)]
    _unoverlap(xs)
    _unoverlap(ys)
    width_pt, height_pt = sum(b - a for a, b in xs), sum(b - a for a, b in ys)
    if width_pt <= 0 or height_pt <= 0:
        return None
    scale = min(OUTPUT_SCALE, (MAX_WIDTH - SEPARATOR * (len(xs) - 1)) / width_pt,
                (MAX_HEIGHT - SEPARATOR * (len(ys) - 1)) / height_pt)
    scale = max(scale, MIN_SCALE)
    x_off, y_off = _offsets(xs, scale), _offsets(ys, scale)
    width = int(round(x_off[-1][1])) if xs else 0
    height = int(round(y_off[-1][1])) if ys else 0
    out = Image.new("RGB", (width, height), GAP_GREY)
    for (ya, yb), (oy, _) in zip(ys, y_off):
        for (xa, xb), (ox, _) in zip(xs, x_off):
            piece = image.crop((int(xa * SCALE), int(ya * SCALE), int(round(xb * SCALE)), int(round(yb * SCALE))))
            size = (max(1, int(round((xb - xa) * scale))), max(1, int(round((yb - ya) * scale))))
            out.paste(piece.resize(size, Image.LANCZOS), (int(round(ox)), int(round(oy))))
    overlay = Image.new("RGBA", out.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for b in sorted(marked, key=lambda b: b.role == "focus"):
        box = _place(b, xs, ys, x_off, y_off, scale)
        if box is None:
            continue
        if b.role == "focus":
            draw.rectangle(box, fill=FOCUS + (FILL,), outline=FOCUS + (255,), width=3)
        else:
            draw.rectangle(box, outline=COMPARED + (255,), width=2)
    out = Image.alpha_composite(out.convert("RGBA"), overlay).convert("RGB")
    if height > MAX_HEIGHT:
        out = out.crop((0, 0, width, MAX_HEIGHT))
    if width > MAX_WIDTH:
        out = out.crop((0, 0, MAX_WIDTH, out.height))
    buf = io.BytesIO()
    out.quantize(palette=_palette(), dither=Image.Dither.NONE).save(buf, format="PNG", compress_level=PNG_COMPRESSION, bits=4)
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    return Crop(uri, number, out.width, out.height, left_out, cut=len(xs) > 1 or len(ys) > 1 or out.size != (width, height),
                columns=tuple(tuple(x) for x in xs), rows=tuple(tuple(y) for y in ys))


def _unoverlap(spans: list[list[float]]) -> None:
    """Padded strips may overlap their neighbours: split the overlap between them."""
    for a, b in zip(spans, spans[1:]):
        if a[1] > b[0]:
            a[1] = b[0] = (a[1] + b[0]) / 2


def _offsets(spans: list[list[float]], scale: float) -> list[tuple[float, float]]:
    out, pos = [], 0.0
    for i, (a, b) in enumerate(spans):
        if i:
            pos += SEPARATOR
        out.append((pos, pos + (b - a) * scale))
        pos += (b - a) * scale
    return out


def _place(b: _Box, xs, ys, x_off, y_off, scale):
    """A box's rectangle in the image, or None when it falls in no strip."""
    def one(lo, hi, spans, offs):
        mid = (lo + hi) / 2
        for (a, z), (o, end) in zip(spans, offs):
            if a <= mid <= z:
                return (o + max(0.0, lo - a) * scale, min(end, o + (hi - a) * scale))
        return None

    x, y = one(b.x0 - OUTSET, b.x1 + OUTSET, xs, x_off), one(b.top - OUTSET, b.bottom + OUTSET, ys, y_off)
    if x is None or y is None:
        return None
    return [x[0], y[0], max(x[0], x[1] - 1), max(y[0], y[1] - 1)]


def _mix(a: tuple, b: tuple, t: float) -> tuple:
    return tuple(round(x * (1 - t) + y * t) for x, y in zip(a, b))


_PALETTE: list = []


def _palette():
    """Sixteen colours: greys for the page, the two marks, their blends with paper and ink."""
    if not _PALETTE:
        from PIL import Image

        white, black = (255, 255, 255), (0, 0, 0)
        colours = [(g, g, g) for g in (0, 40, 80, 115, 150, 185, 215, 235, 255)] + [
            FOCUS, COMPARED, _mix(white, FOCUS, FILL / 255), _mix(white, FOCUS, 0.5), _mix(white, COMPARED, 0.5),
            _mix(black, FOCUS, FILL / 255), GAP_GREY]
        image = Image.new("P", (1, 1))
        image.putpalette([v for c in colours for v in c])
        _PALETTE.append(image)
    return _PALETTE[0]
