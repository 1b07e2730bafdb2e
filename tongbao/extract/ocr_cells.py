"""Table cells of a scanned page filled from RapidOCR's recognised characters, each with its score.

A character belongs to the cell its centre falls in. A line the detector drew across a cell border
(text of two cells read as one line) is read again piece by piece, each piece cropped to its cell;
a cell with ink but no line found is read from its crop; a cell whose text looks like a number but
is not a clean one ("9.:", "1O.5" that the confusion map cannot settle) is read again enlarged.
The cell's score is the lowest score of the characters or readings it was made of, so a single
doubtful digit makes the whole cell doubtful.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .ocr_engine import Char, Reader, TextLine

CELL_MARGIN = 3  # pixels kept off a cell's border when cropping it (the erased rule's remains)
MIN_INK = 12  # dark pixels in a cell that mean something is printed there
REREAD_SCALE = 2.0  # a doubtful number is read again at this magnification
CROP_PAD = 6  # white pixels put around a crop before it is read
LINE_JOIN = 0.5  # of a character's height: characters this close vertically are on one printed line
ASCII_GAP = 0.35  # of a character's height: a gap this wide between two ASCII characters is a space


@dataclass
class CellReading:
    """A cell's text and its recognition score (None when nothing is printed in it)."""

    text: str
    score: float | None


def _inside(ch: Char, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= ch.cx < box[2] and box[1] <= ch.cy < box[3]


def join_chars(chars: list[Char]) -> str:
    """Characters as text: printed lines top to bottom, left to right within a line; a space only
    between two ASCII characters set a word's gap apart."""
    rows: list[list[Char]] = []
    for ch in sorted(chars, key=lambda c: c.cy):
        if rows and abs(ch.cy - np.mean([c.cy for c in rows[-1]])) <= LINE_JOIN * max(ch.bottom - ch.top, 1):
            rows[-1].append(ch)
        else:
            rows.append([ch])
    out = ""
    for row in rows:
        prev = None
        for ch in sorted(row, key=lambda c: c.x0):
            if prev is not None and out and out[-1].isascii() and out[-1].isalnum() and ch.text[:1].isascii() \
                    and ch.text[:1].isalnum() and ch.x0 - prev.x1 > ASCII_GAP * max(ch.bottom - ch.top, 1):
                out += " "
            out += ch.text
            prev = ch
    return out


def ink_crop(image: np.ndarray, ink: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray | None:
    """The printed part of a box (its ink's bounding box plus a white pad), or None when blank."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    m = CELL_MARGIN
    inner = ink[max(0, y0 + m):max(0, y1 - m), max(0, x0 + m):max(0, x1 - m)]
    if inner.size == 0 or int((inner > 0).sum()) < MIN_INK:
        return None
    rows, cols = np.flatnonzero(inner.any(axis=1)), np.flatnonzero(inner.any(axis=0))
    top, left = max(0, y0 + m + rows[0] - 2), max(0, x0 + m + cols[0] - 2)
    crop = image[top:y0 + m + rows[-1] + 3, left:x0 + m + cols[-1] + 3]
    return np.pad(crop, CROP_PAD, constant_values=255)


def _enlarge(crop: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.resize(crop, None, fx=REREAD_SCALE, fy=REREAD_SCALE, interpolation=cv2.INTER_CUBIC)


def read_cells(boxes: list[tuple[float, float, float, float]], lines: list[TextLine], image: np.ndarray,
               ink: np.ndarray, reader: Reader, is_doubtful_number) -> list[CellReading]:
    """Each box's reading, from the lines recognised on the page (`image`: the page with its rules
    erased; `ink`: its dark pixels; `is_doubtful_number(text)`: looks like a number but is not one)."""
    found: list[list[Char]] = [[] for _ in boxes]
    owners: list[set[int]] = [set() for _ in boxes]
    split: set[int] = set()
    for li, line in enumerate(lines):
        hit = set()
        for ch in line.chars:
            for bi, box in enumerate(boxes):
                if _inside(ch, box):
                    found[bi].append(ch)
                    owners[bi].add(li)
                    hit.add(bi)
                    break
        if len(hit) > 1:
            split |= hit
    readings = [CellReading(join_chars(chars), min((c.score for c in chars), default=None)) for chars in found]
    # cells to read from their own crop: a piece of a line drawn across cells, or ink without a line
    again = [i for i, box in enumerate(boxes) if i in split or not found[i]]
    crops = {i: ink_crop(image, ink, boxes[i]) for i in again}
    todo = [i for i in again if crops[i] is not None]
    for i, (text, score) in zip(todo, reader.read_crops([crops[i] for i in todo])):
        if text.strip():
            readings[i] = CellReading(text.strip(), score)
    doubtful = [i for i, r in enumerate(readings) if r.text and is_doubtful_number(r.text)]
    crops = {i: ink_crop(image, ink, boxes[i]) for i in doubtful}
    todo = [i for i in doubtful if crops[i] is not None]
    for i, (text, score) in zip(todo, reader.read_crops([_enlarge(crops[i]) for i in todo])):
        text = text.strip()
        if text and not is_doubtful_number(text):
            readings[i] = CellReading(text, score)
        else:  # still not a number: kept as read, and doubtful
            readings[i] = CellReading(readings[i].text, 0.0)
    return readings
