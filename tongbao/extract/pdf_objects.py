"""A page's characters, ruling lines and images read by PDFium, as the dicts pdfplumber builds from pdfminer.

pdfminer's content-stream parse is most of what pdfplumber spends on a page; PDFium reads the same
page in about a fiftieth of the time. The objects come back in pdfplumber's own shape (`text`, `x0`,
`x1`, `top`, `bottom`, `size`, `upright`; lines, rects and curves with their points), so
pdfplumber's table finder and text-line grouping run on them unchanged. A page PDFium cannot read
the way pdfminer would (rotated, an offset media box) is left to pdfminer.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..pdfium_lock import PDFIUM_LOCK
from .pdf_fonts import MAX_FORM_DEPTH, UNDECLARED_DESCENT

LINE_BREAKS = (10, 13)  # PDFium puts \r\n between text lines; pdfminer has no such characters
UPRIGHT_SHEAR = 0.01  # a character whose matrix turns or shears it less than this reads left to right
MAX_ADVANCE = 4.0  # em: a wider advance is not a width the file declares for a character
# the standard 14 fonts: PDFium draws and measures them with fonts built into it, not the system's
STANDARD_FONTS = frozenset({
    "Courier", "Courier-Bold", "Courier-BoldOblique", "Courier-Oblique", "Helvetica", "Helvetica-Bold",
    "Helvetica-BoldOblique", "Helvetica-Oblique", "Times-Roman", "Times-Bold", "Times-Italic",
    "Times-BoldItalic", "Symbol", "ZapfDingbats"})


@dataclass(frozen=True)
class Matrix:
    """An affine transform (a b c d e f) as in the PDF specification."""

    a: float = 1.0
    b: float = 0.0
    c: float = 0.0
    d: float = 1.0
    e: float = 0.0
    f: float = 0.0

    def then(self, outer: "Matrix") -> "Matrix":
        """This transform followed by `outer` (an object inside a form: its matrix, then the form's)."""
        return Matrix(self.a * outer.a + self.b * outer.c, self.a * outer.b + self.b * outer.d,
                      self.c * outer.a + self.d * outer.c, self.c * outer.b + self.d * outer.d,
                      self.e * outer.a + self.f * outer.c + outer.e, self.e * outer.b + self.f * outer.d + outer.f)

    def apply(self, x: float, y: float) -> tuple[float, float]:
        return self.a * x + self.c * y + self.e, self.b * x + self.d * y + self.f


def open_document(data: bytes) -> pdfium.PdfDocument | None:
    """PDFium's view of the bytes, or None when PDFium cannot open what pdfminer could."""
    try:
        with PDFIUM_LOCK:
            return pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return None


SIZE_TOLERANCE = 0.01  # points: PDFium keeps page sizes as 32-bit floats


def readable(page: pdfium.PdfPage, size: tuple[float, float]) -> bool:
    """PDFium's coordinates match pdfplumber's on this page of `size` (width, height): not rotated,
    the media box at the origin and of that size."""
    left, bottom, right, top = page.get_mediabox()
    return page.get_rotation() == 0 and left == 0 and bottom == 0 \
        and abs(right - size[0]) <= SIZE_TOLERANCE and abs(top - size[1]) <= SIZE_TOLERANCE


def page_objects(page: pdfium.PdfPage, page_number: int, height: float, doctop: float = 0.0,
                 descents: dict[str, float] | None = None) -> dict[str, list[dict]]:
    """Characters, lines, rects and curves of one page of `height` points, in pdfplumber's dict format
    (y measured down from the top). `descents` are the declared descents of the fonts the file does
    not embed (pdf_fonts.declared_descents); without them such a font's descent counts as 0."""
    with PDFIUM_LOCK:
        textpage = page.get_textpage()
        try:
            chars = _chars(textpage.raw, height, page_number, doctop, FontMetrics(descents or {}))
        finally:
            textpage.close()
        shapes = _shapes(page.raw, height, page_number, doctop)
    out: dict[str, list[dict]] = {"char": chars}
    for obj in shapes:
        out.setdefault(obj["object_type"], []).append(obj)
    return out


class FontMetrics:
    """Advance widths and descents from the PDF's own font data, never from a substituted font, so
    a page measures the same on every machine whatever fonts it has (or has none)."""

    def __init__(self, declared: dict[str, float]):
        self.declared = declared
        self._descent: dict[int, float] = {}
        self._width: dict[tuple[int, int], float] = {}

    def descent(self, font, key: int) -> float:
        """The font's descent in em: what its descriptor declares (as pdfminer takes it), else
        PDFium's built-in metrics for the standard 14 or the font's own when embedded, else 0.
        `key`: the font's address."""
        if key not in self._descent:
            name = _base_font(font)
            value = ctypes.c_float(0.0)
            if name in self.declared:
                self._descent[key] = self.declared[name]
            elif pdfium_c.FPDFFont_GetIsEmbedded(font) or name in STANDARD_FONTS:
                pdfium_c.FPDFFont_GetDescent(font, 1.0, value)
                self._descent[key] = value.value
            else:
                self._descent[key] = UNDECLARED_DESCENT
        return self._descent[key]

    def width(self, font, key: int, code: int) -> float | None:
        """The advance of the character `code` in em, as the file's /W or /Widths give it."""
        if (key, code) not in self._width:
            value = ctypes.c_float(-1.0)
            ok = pdfium_c.FPDFFont_GetGlyphWidth(font, code, 1.0, value)
            self._width[key, code] = value.value if ok and 0.0 <= value.value <= MAX_ADVANCE else None
        return self._width[key, code]


def _base_font(font) -> str:
    """The font's BaseFont name (a subset tag kept), as the font dictionaries spell it."""
    size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
    if size <= 1:
        return ""
    buf = ctypes.create_string_buffer(size)
    pdfium_c.FPDFFont_GetBaseFontName(font, buf, size)
    return buf.value.decode("latin-1", "replace")


@dataclass(frozen=True)
class TextRun:
    """What every character of one text object shares: its font, size and matrix."""

    font: object
    font_key: int  # the font's address, for the metrics' caches
    em: float  # the font size, before the matrix
    a: float
    b: float
    c: float
    d: float
    descent: float  # em
    upright: bool


def _run(textpage, i: int, obj, metrics: FontMetrics) -> TextRun:
    matrix = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFText_GetMatrix(textpage, i, matrix)
    font = pdfium_c.FPDFTextObj_GetFont(obj) if obj else None
    key = ctypes.cast(font, ctypes.c_void_p).value or 0
    a, b, c, d = matrix.a, matrix.b, matrix.c, matrix.d
    upright = a * d > 0 and b * c <= 0 and abs(b) + abs(c) < UPRIGHT_SHEAR * (abs(a) + abs(d))
    return TextRun(font, key, pdfium_c.FPDFText_GetFontSize(textpage, i), a, b, c, d,
                   metrics.descent(font, key) if font else UNDECLARED_DESCENT, upright)


def _chars(textpage, height: float, page_number: int, doctop: float, metrics: FontMetrics) -> list[dict]:
    """The page's printed characters (PDFium's generated spaces and line breaks left out). A char's
    box is pdfminer's: from its origin, its advance wide and one font size tall from the font's
    descent, turned by the character's matrix."""
    n = pdfium_c.FPDFText_CountChars(textpage)
    loose = pdfium_c.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    get_unicode, generated = pdfium_c.FPDFText_GetUnicode, pdfium_c.FPDFText_IsGenerated
    origin, text_object = pdfium_c.FPDFText_GetCharOrigin, pdfium_c.FPDFText_GetTextObject
    address = ctypes.c_void_p
    out = []
    run, run_key = None, None
    for i in range(n):
        code = get_unicode(textpage, i)
        if code in LINE_BREAKS or code == 0 or generated(textpage, i):
            continue
        obj = text_object(textpage, i)
        key = ctypes.cast(obj, address).value
        if key != run_key or run is None:
            run, run_key = _run(textpage, i, obj, metrics), key
        origin(textpage, i, ox, oy)
        advance = metrics.width(run.font, run.font_key, code) if run.font else None
        if advance is None:  # no width in the file for it: PDFium's box, the only measure left
            pdfium_c.FPDFText_GetLooseCharBox(textpage, i, loose)
            advance = (loose.right - loose.left) / (run.em * run.a) if run.em and run.a else 0.0
        out.append(_char_box(chr(code), ox.value, oy.value, run, advance, height, page_number, doctop))
    return out


def _char_box(text: str, x: float, y: float, run: TextRun, advance: float, height: float, page_number: int,
              doctop: float) -> dict:
    """A character in pdfplumber's format: the text-space box (0, descent)–(advance, descent + 1),
    in em, scaled by the font size and moved by the character's matrix to its origin (x, y)."""
    em, low, high = run.em, run.descent, run.descent + 1.0
    if run.b == 0.0 and run.c == 0.0:  # the common case: only scaled
        xs = (x, x + run.a * advance * em)
        ys = (y + run.d * low * em, y + run.d * high * em)
    else:
        corners = [(x + (run.a * u + run.c * v) * em, y + (run.b * u + run.d * v) * em)
                   for u in (0.0, advance) for v in (low, high)]
        xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    size = (y1 - y0) if run.upright else (run.c ** 2 + run.d ** 2) ** 0.5 * em
    top, bottom = height - y1, height - y0
    return {"object_type": "char", "page_number": page_number, "text": text,
            "x0": x0, "x1": x1, "top": top, "bottom": bottom, "y0": y0, "y1": y1, "doctop": doctop + top,
            "width": x1 - x0, "height": y1 - y0, "size": size, "upright": run.upright}


def _shapes(page, height: float, page_number: int, doctop: float) -> list[dict]:
    """Every painted path of the page (inside forms too), one shape per subpath; and every image,
    as its bounding box (a page that is one large image is a scan)."""
    out: list[dict] = []
    objects = [(pdfium_c.FPDFPage_GetObject(page, i), Matrix(), 0) for i in range(pdfium_c.FPDFPage_CountObjects(page))]
    while objects:
        obj, outer, depth = objects.pop()
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            out += _path_shapes(obj, outer, height, page_number, doctop)
        elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            out.append(_image(obj, outer, height, page_number, doctop))
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
            inner = _matrix(obj).then(outer)
            objects += [(pdfium_c.FPDFFormObj_GetObject(obj, i), inner, depth + 1)
                        for i in range(pdfium_c.FPDFFormObj_CountObjects(obj))]
    return out


def _image(obj, outer: Matrix, height: float, page_number: int, doctop: float) -> dict:
    """An image's box on the page (its bounds inside a form moved by the form's matrix)."""
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
    corners = [outer.apply(x.value, y.value) for x in (left, right) for y in (bottom, top)]
    x0, x1 = min(c[0] for c in corners), max(c[0] for c in corners)
    y0, y1 = min(c[1] for c in corners), max(c[1] for c in corners)
    return {"object_type": "image", "page_number": page_number, "x0": x0, "x1": x1, "top": height - y1,
            "bottom": height - y0, "y0": y0, "y1": y1, "doctop": doctop + height - y1, "width": x1 - x0, "height": y1 - y0}


def _matrix(obj) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return Matrix()
    return Matrix(m.a, m.b, m.c, m.d, m.e, m.f)


def _path_shapes(obj, outer: Matrix, height: float, page_number: int, doctop: float) -> list[dict]:
    """A path's subpaths as pdfplumber shapes: a two-point subpath is a line, an axis-aligned
    four-cornered closed one a rect, anything else a curve. Unpainted paths are left out."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke) and not fill.value and not stroke.value:
        return []
    matrix = _matrix(obj).then(outer)
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[tuple[list[tuple[float, float]], bool]] = []
    for j in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, j)
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        px, py = matrix.apply(x.value, y.value)
        point = (px, height - py)
        if pdfium_c.FPDFPathSegment_GetType(seg) == pdfium_c.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append(([point], False))
        else:
            subpaths[-1][0].append(point)
        if pdfium_c.FPDFPathSegment_GetClose(seg):
            subpaths[-1] = (subpaths[-1][0], True)
    common = {"page_number": page_number, "fill": bool(fill.value), "stroke": bool(stroke.value)}
    return [_shape(points, closed, common, height, doctop) for points, closed in subpaths if len(points) >= 2]


def _shape(points: list[tuple[float, float]], closed: bool, common: dict, height: float, doctop: float) -> dict:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1, top, bottom = min(xs), max(xs), min(ys), max(ys)
    shape = {**common, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "y0": height - bottom, "y1": height - top,
             "doctop": doctop + top, "width": x1 - x0, "height": bottom - top}
    if len(points) == 2:
        return {**shape, "object_type": "line", "pts": points}
    corners = points[:-1] if points[-1] == points[0] else points
    if len(corners) == 4 and (closed or points[-1] == points[0]) and _axis_aligned(corners):
        return {**shape, "object_type": "rect", "pts": points}
    return {**shape, "object_type": "curve", "pts": points + ([points[0]] if closed else [])}


def _axis_aligned(corners: list[tuple[float, float]]) -> bool:
    """Each side of the quadrilateral is horizontal or vertical."""
    return all(a[0] == b[0] or a[1] == b[1] for a, b in zip(corners, corners[1:] + corners[:1]))
