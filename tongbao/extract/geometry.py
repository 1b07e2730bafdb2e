"""Small geometry helpers the page readers share (PDF text layer, lineless tables, OCR)."""
from __future__ import annotations


def gaps(spans: list[tuple[float, float]], min_gap: float) -> list[tuple[float, float]]:
    """Empty intervals of at least `min_gap` between the (start, end) spans, left to right."""
    out, reach = [], None
    for a, b in sorted(spans):
        if reach is not None and a - reach >= min_gap:
            out.append((reach, a))
        reach = b if reach is None else max(reach, b)
    return out
