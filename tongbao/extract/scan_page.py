"""One scanned page read with RapidOCR: cleaned up, turned upright and straightened, its ruled tables
found from the image's lines and filled cell by cell from the recognised characters, and the rest
handed on as narrative words (which the lineless reader may still find a table in).

Text lines are detected once on the cleaned page; when the page is then straightened, the detected
boxes are turned with it rather than detected again.
"""
from __future__ import annotations

import numpy as np

from . import ocr, scan_cleanup
from .ocr_cells import read_cells
from .ocr_engine import Reader, TextLine
from .pdf_pages import PageTable
from .tables import RawCell

ON_ITS_SIDE_SHARE = 0.6  # of the elongated detected lines: taller than wide means the page is on its side
ELONGATED = 2.0  # a line box at least this much longer one way than the other


def _turn_boxes(boxes: list[np.ndarray], angle: float, shape: tuple[int, int]) -> list[np.ndarray]:
    import cv2

    h, w = shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return [np.hstack([b, np.ones((4, 1), np.float32)]) @ m.T.astype(np.float32) for b in boxes]


def _on_its_side(boxes: list[np.ndarray]) -> bool:
    """Most elongated line boxes are taller than wide: the text runs up or down the page."""
    tall = wide = 0
    for b in boxes:
        w, h = float(np.ptp(b[:, 0])), float(np.ptp(b[:, 1]))
        tall += h >= ELONGATED * w
        wide += w >= ELONGATED * h
    return tall + wide > 0 and tall >= ON_ITS_SIDE_SHARE * (tall + wide)


def upright(gray: np.ndarray, reader: Reader) -> tuple[np.ndarray, list[np.ndarray], int]:
    """The page turned upright (quarter turns), its detected line boxes, and the turns made."""
    boxes = reader.detect(gray)
    turns = 0
    if _on_its_side(boxes):
        gray, turns = np.ascontiguousarray(np.rot90(gray, -1)), 1
        boxes = reader.detect(gray)
    if boxes and reader.upside_down_share(gray, boxes) >= scan_cleanup.UPSIDE_DOWN_SHARE:
        gray, turns = np.ascontiguousarray(np.rot90(gray, 2)), turns + 2
        boxes = reader.detect(gray)
    return gray, boxes, turns % 4


def prepare(image: np.ndarray, reader: Reader) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], dict]:
    """Seals out, contrast and noise, upright, straight: the grey page to find rules in, the one to
    read, its line boxes, and what was done."""
    for_lines, for_text = scan_cleanup.remove_seals(image) if image.ndim == 3 else (image, image)
    for_lines, for_text = scan_cleanup.normalise(for_lines), scan_cleanup.normalise(for_text)
    turned, boxes, turns = upright(for_text, reader)
    if turns:
        for_lines = np.ascontiguousarray(np.rot90(for_lines, -turns))
    for_text = turned
    angle = scan_cleanup.skew_angle(for_lines)
    if abs(angle) >= scan_cleanup.SKEW_MIN:
        boxes = _turn_boxes(boxes, angle, for_text.shape)
        for_lines, for_text = scan_cleanup.rotate(for_lines, angle), scan_cleanup.rotate(for_text, angle)
    else:
        angle = 0.0
    return for_lines, for_text, boxes, {"quarter_turns": turns, "skew": angle}


def _words(lines: list[TextLine]) -> list[ocr.Word]:
    return [ocr.Word(l.text, int(l.x0), int(l.top), int(l.x1), int(l.bottom), l.score, l.chars) for l in lines]


def _centre_in(line: TextLine, box: tuple[float, float, float, float]) -> bool:
    cx, cy = (line.x0 + line.x1) / 2, (line.top + line.bottom) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def _chars_in(line: TextLine, box: tuple[float, float, float, float]) -> bool:
    """Most of the line's characters (or its centre) lie inside the box."""
    if not line.chars:
        return _centre_in(line, box)
    inside = sum(box[0] <= c.cx <= box[2] and box[1] <= c.cy <= box[3] for c in line.chars)
    return inside >= len(line.chars) / 2


def _table(cells_at: list[tuple[int, int]], boxes: list[tuple], shape: tuple[int, int], lines: list[TextLine],
           clean: np.ndarray, ink: np.ndarray, reader: Reader, number: int, scale: float, reason: str):
    """TableParts from cell boxes placed at (row, col) of a `shape` grid; covered slots stay empty."""
    readings = read_cells(boxes, lines, clean, ink, reader, ocr.doubtful_number)
    grid: list[list[RawCell | None]] = [[None] * shape[1] for _ in range(shape[0])]
    for (r, c), box, got in zip(cells_at, boxes, readings):
        text = ocr.fix_number(ocr.fix_brackets(got.text)) if got.text else ""
        grid[r][c] = RawCell(text, number, *ocr.points(scale, box), score=got.score if text else None)
    return grid, reason


def grid_table(grid: ocr.Grid, lines, clean, ink, reader, number: int, scale: float):
    nr, nc = len(grid.ys) - 1, len(grid.xs) - 1
    if nr < 2 or nc < 2:
        return None
    at = [(r0, c0) for r0, c0, _r1, _c1 in grid.cells]
    boxes = [(grid.xs[c0], grid.ys[r0], grid.xs[c1 + 1], grid.ys[r1 + 1]) for r0, c0, r1, c1 in grid.cells]
    rows, _ = _table(at, boxes, (nr, nc), lines, clean, ink, reader, number, scale, "")
    for r in range(nr):
        for c in range(nc):
            if rows[r][c] is None:  # covered by a merged cell: empty, placed at its row and column
                rows[r][c] = RawCell("", number, *ocr.points(scale, (grid.xs[c], grid.ys[r], grid.xs[c + 1], grid.ys[r + 1])))
    return ocr.table_parts(rows, number, f"OCR ({reader_label()}): ruled grid detected in the image (OpenCV line masks), "
                                         f"{nr} × {nc} cells, characters placed in the cell their centre falls in")


def band_table(band: ocr.Band, lines, clean, ink, reader, number: int, scale: float):
    """Rows between the rules; columns at empty x strips between the body rows' words."""
    x0, y0, x1, y1 = band.bbox
    inside = [w for w in _words(lines) if x0 <= w.cx <= x1 and y0 <= w.cy <= y1]
    layout = ocr.band_layout(band, inside)
    if layout is None:
        return None
    rows_y, edges = layout
    at = [(r, c) for r in range(len(rows_y)) for c in range(len(edges) - 1)]
    boxes = [(edges[c], a, edges[c + 1], b) for a, b in rows_y for c in range(len(edges) - 1)]
    rows, _ = _table(at, boxes, (len(rows_y), len(edges) - 1), lines, clean, ink, reader, number, scale, "")
    return ocr.table_parts(rows, number, f"OCR ({reader_label()}): horizontal rules only, rows from rules detected in "
                                         f"the image, columns from word alignment")


def reader_label() -> str:
    return f"{ocr.METHOD_RAPID}, {ocr.RAPID_DPI} dpi at most"


def read_page(image: np.ndarray, number: int, scale: float, reader: Reader) -> ocr.OcrPage:
    """One page image (RGB or grey) read: tables cell by cell, the rest as narrative words."""
    for_lines, gray, boxes, done = prepare(image, reader)
    _ink, h, v = ocr.line_masks(for_lines)
    grids = ocr.find_grids(h, v, ocr.bridged_vertical(_ink))
    bands = ocr.find_bands(h, grids, gray.shape[1])
    clean = ocr.erase_lines(gray, h, v, [g.bbox for g in grids] + [b.bbox for b in bands])
    ink = ocr.line_masks(clean)[0] if for_lines is not gray else _ink.copy()
    ink[clean == 255] = 0
    lines = reader.recognise(clean, boxes)
    items, used = [], set()
    for region, make in [(g, grid_table) for g in grids] + [(b, band_table) for b in bands]:
        parts = make(region, lines, clean, ink, reader, number, scale)
        if parts is None:
            continue
        items.append(PageTable(parts, ocr.points(scale, region.bbox)))
        used |= {i for i, l in enumerate(lines) if _chars_in(l, region.bbox)}
    rest = ocr.drop_overlaps(_words([l for i, l in enumerate(lines) if i not in used]))
    page = ocr.finish_page(items, rest, number, scale, gray.shape, reader_label())
    page.cleanup = done
    return page
