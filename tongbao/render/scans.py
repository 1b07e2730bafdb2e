"""Realistic scans made from rendered PDFs, for testing OCR: pages rasterised at a scanner's
resolution, turned a little, speckled with noise, stamped with a red seal and JPEG-compressed, then
wrapped back into an image-only PDF (no text layer).

Nothing depends on the machine's fonts: pages are drawn by PDFium with tongbao's bundled CJK font
(importing tongbao.pdfium_lock installs it), and the seal's characters use the same font file.
Every degradation is seeded, so a fixture is the same on every run.
"""
from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..pdfium_fonts import bundled_font_path
from ..pdfium_lock import PDFIUM_LOCK
from .hostile import replace_pages

SCAN_DPI = 200
SEAL_RED = (215, 30, 35)  # RGB of a stamp pad's ink
SEAL_TEXT = "政务服务中心管委会"
SEAL_DIAMETER_INCH = 1.6  # official seals are 4-4.5 cm across


@dataclass(frozen=True)
class ScanStyle:
    """How a page is spoiled: resolution, turn (degrees, alternating sign page to page), noise, JPEG
    quality, the share of pages turned upside down or on their side, and the page given a seal."""

    dpi: int = SCAN_DPI
    angle: float = 1.5
    noise: float = 10.0  # standard deviation of the grey noise added, in grey levels
    speckles: float = 0.0008  # share of pixels turned black or white (dust, toner)
    jpeg_quality: int = 60
    seal_page: int | None = None  # 1-based; None: the page with the most ruling lines (a table's)
    seal_at: tuple[float, float] = (0.72, 0.32)  # the seal's centre as shares of the page's width and height
    quarter_turns: dict | None = None  # {page: 1|2|3}: pages scanned on their side or upside down
    seed: int = 0


def rasterise_colour(pdf: Path | bytes, dpi: int) -> list[np.ndarray]:
    """Each page as an RGB array at `dpi`, drawn by PDFium with the bundled CJK font."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
        try:
            return [np.array(page.render(scale=dpi / 72).to_pil().convert("RGB")) for page in doc]
        finally:
            doc.close()


def _rule_rows(rgb: np.ndarray) -> int:
    """Pixel rows that are mostly dark: long horizontal rules (a table's, or a red header's line)."""
    gray = rgb.mean(axis=2)
    return int(((gray < 200).mean(axis=1) > 0.4).sum())


def draw_seal(rgb: np.ndarray, centre: tuple[int, int], diameter: int, rng: random.Random) -> np.ndarray:
    """A round red seal (ring, star and an arc of characters) printed over the page: the ink
    multiplies with what is under it, as a stamp's does."""
    from PIL import Image, ImageDraw, ImageFont

    size = diameter + 8
    layer = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(layer)
    ring = max(4, diameter // 28)
    d.ellipse([4, 4, 4 + diameter, 4 + diameter], outline=255, width=ring)
    c, r = size / 2, diameter / 2
    star = [(c + (r * 0.28 if i % 2 == 0 else r * 0.11) * math.sin(i * math.pi / 5),
             c - (r * 0.28 if i % 2 == 0 else r * 0.11) * math.cos(i * math.pi / 5)) for i in range(10)]
    d.polygon(star, fill=255)
    font = ImageFont.truetype(bundled_font_path(), max(10, diameter // 8))
    for i, ch in enumerate(SEAL_TEXT):
        a = math.radians(-120 + 240 * i / max(1, len(SEAL_TEXT) - 1))
        glyph = Image.new("L", (diameter // 6, diameter // 6), 0)
        ImageDraw.Draw(glyph).text((0, 0), ch, fill=255, font=font)
        glyph = glyph.rotate(-math.degrees(a), expand=True)
        x, y = c + r * 0.72 * math.sin(a) - glyph.width / 2, c - r * 0.72 * math.cos(a) - glyph.height / 2
        layer.paste(255, (int(x), int(y)), glyph)
    alpha = np.asarray(layer, np.float32) / 255 * rng.uniform(0.75, 0.9)
    x0, y0 = centre[0] - size // 2, centre[1] - size // 2
    out = rgb.copy()
    ys, xs = slice(max(0, y0), min(rgb.shape[0], y0 + size)), slice(max(0, x0), min(rgb.shape[1], x0 + size))
    a = alpha[ys.start - y0:ys.stop - y0, xs.start - x0:xs.stop - x0, None]
    ink = np.array(SEAL_RED, np.float32) / 255
    region = out[ys, xs].astype(np.float32)
    out[ys, xs] = (region * (1 - a + a * ink)).clip(0, 255).astype(np.uint8)
    return out


def spoil_page(rgb: np.ndarray, angle: float, style: ScanStyle, rng: np.random.Generator) -> np.ndarray:
    """One page turned by `angle` degrees, with grey noise and speckles (before JPEG)."""
    import cv2

    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    out = cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))
    out = cv2.GaussianBlur(out, (3, 3), 0.6)
    noisy = out.astype(np.float32) + rng.normal(0, style.noise, out.shape[:2])[..., None]
    out = noisy.clip(0, 255).astype(np.uint8)
    flips = rng.random(out.shape[:2])
    out[flips < style.speckles / 2] = 0
    out[flips > 1 - style.speckles / 2] = 255
    return out


def scan_pages(source: Path | bytes, style: ScanStyle = ScanStyle()) -> list[np.ndarray]:
    """The pages of `source` as a scanner would give them (RGB arrays, before JPEG)."""
    pages = rasterise_colour(source, style.dpi)
    rng = np.random.default_rng(style.seed)
    prng = random.Random(style.seed)
    seal_page = style.seal_page or max(range(len(pages)), key=lambda i: _rule_rows(pages[i]), default=-1) + 1
    out = []
    for i, rgb in enumerate(pages):
        if seal_page == i + 1:
            h, w = rgb.shape[:2]
            centre = (int(style.seal_at[0] * w), int(style.seal_at[1] * h))
            rgb = draw_seal(rgb, centre, int(SEAL_DIAMETER_INCH * style.dpi), prng)
        angle = style.angle * (1 if i % 2 == 0 else -1) * prng.uniform(0.6, 1.0)
        page = spoil_page(rgb, angle, style, rng)
        turns = (style.quarter_turns or {}).get(i + 1, 0)
        out.append(np.ascontiguousarray(np.rot90(page, -turns)) if turns else page)
    return out


def images_to_pdf(images: list[np.ndarray], target: Path, dpi: int, jpeg_quality: int) -> Path:
    """Each image JPEG-compressed and set as one page of an image-only PDF (page size from `dpi`)."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(target))
    for image in images:
        buf = io.BytesIO()
        Image.fromarray(image).save(buf, format="JPEG", quality=jpeg_quality)
        buf.seek(0)
        w, h = image.shape[1] * 72 / dpi, image.shape[0] * 72 / dpi
        c.setPageSize((w, h))
        c.drawImage(ImageReader(buf), 0, 0, width=w, height=h)
        c.showPage()
    c.save()
    return target


def realistic_scan(source: Path | bytes, target: Path, style: ScanStyle = ScanStyle()) -> Path:
    """`source` (a PDF) scanned: an image-only PDF of its pages spoiled as `style` says."""
    return images_to_pdf(scan_pages(source, style), Path(target), style.dpi, style.jpeg_quality)


def partly_scanned(source: Path, target: Path, scanned: list[int], style: ScanStyle = ScanStyle()) -> Path:
    """`source` with the pages numbered in `scanned` (from 1) replaced by their realistic scans: a typed
    notice whose annex was printed, stamped and scanned back in."""
    import pypdfium2 as pdfium

    target = Path(target)
    scan = realistic_scan(source, target.with_suffix(".scan.pdf"), style)
    return replace_pages(source, scan, scanned, target)
