"""Small geometry helpers the page readers share (PDF text layer, lineless tables, OCR)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


class PixelBox:
    """The centre and height of a record with x0, top, x1, bottom (an OCR'd word, line or character)."""

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self):
        return self.bottom - self.top


def gaps(spans: list[tuple[float, float]], min_gap: float) -> list[tuple[float, float]]:
    """Empty intervals of at least `min_gap` between the (start, end) spans, left to right."""
    out, reach = [], None
    for a, b in sorted(spans):
        if reach is not None and a - reach >= min_gap:
            out.append((reach, a))
        reach = b if reach is None else max(reach, b)
    return out


def group_lines(items: Iterable[T], key: Callable[[T], object], same_line: Callable[[list[T], T], bool]) -> list[list[T]]:
    """Items (characters, OCR words) grouped into lines: taken in `key` order, each joins the line
    being built when `same_line(line, item)`, else starts the next one. Each reader says what
    "the same line" means for its items."""
    lines: list[list[T]] = []
    for item in sorted(items, key=key):
        if lines and same_line(lines[-1], item):
            lines[-1].append(item)
        else:
            lines.append([item])
    return lines
