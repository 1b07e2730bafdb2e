"""A scanned page made fit for OCR: red seals taken out, contrast stretched, noise removed, the page
turned upright (a quarter or half turn) and straightened (a few degrees of skew).

Seals: a stamp's red ink is light in the red channel while black print under it stays black, so
seal regions are taken from the red channel, which removes the seal and keeps the text it covers.
Red *text* (a 红头 issuer line, a red rule under it) is kept: only red regions as large and round
as a seal are taken from the red channel, the rest from the luminance.
"""
from __future__ import annotations

import numpy as np

RED_EXCESS = 60  # grey levels: red over the larger of green and blue that marks red ink
RED_MIN = 110  # a red pixel's red channel is at least this bright
RED_TEXT_ASPECT = 3.0  # a red region this much wider than tall is a line of red text, not a seal
SEAL_INK_PERCENTILE = 10  # of the seal's red-channel levels: this one and lighter become white (for reading)
SEAL_MIN_SHARE = 0.08  # of the page's width: a seal is at least this tall (4 cm on A4 is 0.19; red type is < 0.05)
RED_JOIN = 15  # pixels: red strokes this close belong to one region (a seal's ring, star and characters)
CONTRAST_PERCENTILES = (1.0, 99.5)  # grey levels stretched to black and white
NOISE_LEVEL = 4.0  # mean |image - median| above which the page is denoised with a median filter
MAX_SKEW = 5.0  # degrees searched either way
SKEW_STEP = 0.1  # degrees: the search's precision (its finest step is half this)
SKEW_MIN = 0.15  # degrees: smaller skews are left alone (rotating blurs)
SKEW_WIDTH = 800  # pixels: the page is measured for skew at this width
UPSIDE_DOWN_SHARE = 0.5  # of lines the orientation model reads as turned: the page is upside down


def remove_seals(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two grey pages from an RGB one, red lines of text kept in both: for finding rules, seals in
    their red channel (ink as light as paper there, rules under it dark); for reading, seals stretched
    to white paper (their faint remains would be read as marks)."""
    import cv2

    r, g, b = (rgb[..., i].astype(np.int16) for i in range(3))
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    red = ((r - np.maximum(g, b)) > RED_EXCESS) & (r >= RED_MIN)
    if not red.any():
        return gray, gray
    joined = cv2.dilate(red.astype(np.uint8), np.ones((RED_JOIN, RED_JOIN), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined)
    boxes = [tuple(stats[i, :4]) for i in range(n)]
    rings = [(x, y, x + w, y + h) for x, y, w, h in boxes[1:]
             if w < RED_TEXT_ASPECT * h and h >= SEAL_MIN_SHARE * rgb.shape[1]]  # large and round: not red type
    seal = np.zeros(n, bool)
    for i in range(1, n):  # a seal's ring, and the star and characters inside it
        x, y, w, h = boxes[i]
        seal[i] = any(a <= x + w / 2 <= c and b <= y + h / 2 <= d for a, b, c, d in rings)
    region = seal[labels] & (joined > 0)
    if not region.any():
        return gray, gray
    level = rgb[..., 0][region]
    for_lines = gray.copy()
    for_lines[region] = level
    ink_level = max(1.0, float(np.percentile(rgb[..., 0][region & red], SEAL_INK_PERCENTILE)))
    for_text = gray.copy()
    for_text[region] = np.clip(level.astype(np.float32) * (255.0 / ink_level), 0, 255).astype(np.uint8)
    return for_lines, for_text


def normalise(gray: np.ndarray) -> np.ndarray:
    """Contrast stretched between the percentiles; speckle noise removed when the page has much."""
    import cv2

    lo, hi = np.percentile(gray[::4, ::4], CONTRAST_PERCENTILES)
    if hi - lo > 10:
        gray = np.clip((gray.astype(np.float32) - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)
    smooth = cv2.medianBlur(gray, 3)
    if float(np.mean(cv2.absdiff(gray, smooth))) > NOISE_LEVEL:
        return smooth
    return gray


def _ink(gray: np.ndarray, width: int) -> np.ndarray:
    import cv2

    scale = min(1.0, width / gray.shape[1])
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else gray
    return cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]


def _profile_score(ink: np.ndarray, angle: float) -> float:
    """How sharply the rows of ink separate after turning by `angle`: sum of squared row sums."""
    import cv2

    h, w = ink.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    turned = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    rows = turned.sum(axis=1, dtype=np.float64)
    return float(np.dot(rows, rows))


def skew_angle(gray: np.ndarray) -> float:
    """The turn (degrees, counter-clockwise positive as OpenCV's) that makes text lines and rules level."""
    ink = _ink(gray, SKEW_WIDTH)
    best = 0.0
    for step, span in ((1.0, MAX_SKEW), (0.25, 1.0), (SKEW_STEP / 2, 0.25)):  # coarse to fine
        angles = np.arange(best - span, best + span + step / 2, step)
        best = float(max(angles, key=lambda a: _profile_score(ink, a)))
    return round(best, 2)


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """`gray` turned by `angle` degrees about its centre, corners filled white."""
    import cv2

    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def on_its_side(gray: np.ndarray) -> bool:
    """Text lines run up the page: rows of ink separate less sharply than columns do."""
    ink = _ink(gray, SKEW_WIDTH)
    rows = ink.sum(axis=1, dtype=np.float64)
    cols = ink.sum(axis=0, dtype=np.float64)
    # normalise by length so a portrait page and a landscape one compare fairly
    return float(np.dot(cols, cols)) / len(cols) > 1.15 * float(np.dot(rows, rows)) / len(rows)


def deskew(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The page straightened, and the angle it was turned by."""
    angle = skew_angle(gray)
    if abs(angle) < SKEW_MIN:
        return gray, 0.0
    return rotate(gray, angle), angle
