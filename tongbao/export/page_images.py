"""Images of the page region a finding speaks of, with the cells involved outlined (PDF sources only)."""
from __future__ import annotations

import base64
import io

from ..pdfium_lock import PDFIUM_LOCK

SCALE = 2.0  # pixels per PDF point
MARGIN = 12.0  # points around the cells involved
MAX_HEIGHT = 900  # pixels; taller regions are cut to the first cells
OUTLINE = (200, 0, 32)


def _boxes(locations: list[dict]) -> dict[int, list[tuple[float, float, float, float]]]:
    pages: dict[int, list] = {}
    for loc in locations:
        if loc.get("page") and loc.get("x0") is not None and loc.get("bottom") is not None:
            pages.setdefault(int(loc["page"]), []).append((loc["x0"], loc["top"], loc["x1"], loc["bottom"]))
    return pages


def finding_images(pdf_path: str, locations: list[dict], pdf=None) -> list[str]:
    """PNG data URIs, one per page the locations fall on, cropped to the cells and outlined."""
    import pypdfium2 as pdfium

    pages = _boxes(locations)
    if not pages:
        return []
    own = pdf is None
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(pdf_path) if own else pdf
        try:
            return _render(pdf, pages)
        finally:
            if own:
                pdf.close()


def _render(pdf, pages: dict) -> list[str]:
    """Crop and outline each page region (the caller holds PDFIUM_LOCK)."""
    from PIL import ImageDraw

    out = []
    for number, boxes in sorted(pages.items()):
        if number > len(pdf):
            continue
        image = pdf[number - 1].render(scale=SCALE).to_pil().convert("RGB")
        draw = ImageDraw.Draw(image)
        for x0, top, x1, bottom in boxes:
            draw.rectangle([x0 * SCALE, top * SCALE, x1 * SCALE, bottom * SCALE], outline=OUTLINE, width=3)
        left = max(0, min(b[0] for b in boxes) - MARGIN) * SCALE
        upper = max(0, min(b[1] for b in boxes) - MARGIN) * SCALE
        right = min(image.width, (max(b[2] for b in boxes) + MARGIN) * SCALE)
        lower = min(image.height, (max(b[3] for b in boxes) + MARGIN) * SCALE, upper + MAX_HEIGHT)
        crop = image.crop((int(left), int(upper), int(right), int(lower)))
        buf = io.BytesIO()
        crop.save(buf, format="PNG", optimize=True)
        out.append("data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"))
    return out
