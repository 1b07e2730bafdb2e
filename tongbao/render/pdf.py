"""Render a BulletinSpec to a PDF laid out like an office's 公文: red header, red rule, 〔〕 number,
indented body, right-aligned signature, annex tables with ruled grids and a "- N -" footer.

The default font is reportlab's built-in CID font STSong-Light (nothing to download, not embedded):
pdfplumber/pdfminer and pypdfium2 read its text back exactly, one char per glyph, CJK 1 em wide.
A TrueType path (.ttf/.ttc) may be given instead and is embedded (subset).
"""
from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase._cidfontdata import CIDFontInfo
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.pdfdoc import PDFString
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    HRFlowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .spec import BulletinSpec, TableSpec, annex_tables, body_blocks

DEFAULT_FONT = "STSong-Light"
RED = colors.Color(0.85, 0.0, 0.0)
# GB/T 9704 margins: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; body 三号 (16 pt).
MARGINS = dict(topMargin=37 * mm, bottomMargin=35 * mm, leftMargin=28 * mm, rightMargin=26 * mm)
BODY_SIZE = 16
TABLE_SIZES = (10.5, 9.5, 8.5, 7.5, 6.5, 5.5)
PAD = 3
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def register_font(font: str | Path = DEFAULT_FONT) -> str:
    """Register a CID font name or a TrueType file with reportlab; return the font name to use."""
    font = str(font)
    if font.lower().endswith((".ttf", ".ttc", ".otf")):
        name = "Embedded-" + Path(font).stem
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, font, subfontIndex=0))
        return name
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    _encryptable_cid_info(pdfmetrics.getFont(font).face.name)
    return font


def _encryptable_cid_info(face: str) -> None:
    """Make reportlab write CIDSystemInfo's Registry/Ordering as real PDF strings.

    reportlab keeps them as raw "(Adobe)" text, which stays unencrypted in an encrypted file;
    pdfminer then decrypts it into garbage, misses the Adobe-GB1 map and yields "(cid:N)".
    As PDFString objects they are encrypted like every other string (no change when unencrypted).
    """
    descendants = CIDFontInfo.get(face, {}).get("DescendantFonts") or [{}]
    info = descendants[0].get("CIDSystemInfo", {})
    for key in ("Registry", "Ordering"):
        value = info.get(key)
        if isinstance(value, str) and value.startswith("(") and value.endswith(")"):
            info[key] = PDFString(value[1:-1])


def _style(font: str, size: float, align=TA_LEFT, leading: float | None = None, **kw) -> ParagraphStyle:
    """A paragraph style that wraps CJK text at any character (wordWrap='CJK')."""
    return ParagraphStyle(
        "s", fontName=font, fontSize=size, leading=leading or size * 1.3, alignment=align, wordWrap="CJK", **kw
    )


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph holding `text` literally (markup characters escaped)."""
    return Paragraph(escape(text), style)


def _fit_size(text: str, font: str, width: float, largest: float) -> float:
    """Largest font size <= `largest` at which `text` fits on one line of `width`."""
    w = pdfmetrics.stringWidth(text, font, 1) or 1
    return min(largest, width * 0.98 / w)


def _col_widths(table: TableSpec, font: str, avail: float) -> tuple[list[float], float]:
    """Leaf column widths and table font size: numbers never wrap, names wrap when space is short."""
    n = table.n_cols
    if table.col_widths:
        total = sum(table.col_widths)
        widths = [avail * w / total for w in table.col_widths]
        return widths, TABLE_SIZES[0] if n <= 8 else TABLE_SIZES[min(len(TABLE_SIZES) - 1, (n - 8) // 3)]
    leaf_heads = [p[-1] if p else "" for p in table.leaf_paths()]
    for size in TABLE_SIZES:
        mins, mids, wants = [], [], []
        for c in range(n):
            texts = [r[c] for r in table.rows if c < len(r)]
            sw = lambda s: pdfmetrics.stringWidth(s, font, size) + 2 * PAD + 1  # noqa: E731
            rigid = max([sw(t) for t in texts if t and not _CJK.search(t)], default=0)
            flex = max([sw(t) for t in texts if _CJK.search(t or "")], default=0)
            head = sw(leaf_heads[c]) if c < len(leaf_heads) else 0
            lo = max(rigid, min(flex, 5 * size + 2 * PAD), 2 * size + 2 * PAD)
            mins.append(lo)
            mids.append(max(lo, min(head, 4 * size + 2 * PAD)))
            wants.append(max(lo, flex, min(head, 6 * size + 2 * PAD)))
        if sum(wants) <= avail:
            scale = avail / sum(wants) if sum(wants) > avail * 0.7 else 1.0
            return [w * scale for w in wants], size
        for base, top in ((mids, wants), (mins, mids)):
            if sum(base) <= avail:
                extra, slack = avail - sum(base), [t - b for t, b in zip(top, base)]
                return [b + extra * s / (sum(slack) or 1) for b, s in zip(base, slack)], size
    return [m * avail / sum(mins) for m in mins], TABLE_SIZES[-1]


def _table_style(table: TableSpec) -> list[tuple]:
    """Table style commands: spans of merged header cells and the rules for table.ruling."""
    nh, nrow, ncol = len(table.header), len(table.header) + len(table.rows), table.n_cols
    cmds: list[tuple] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for r, c, cell in table.header_grid():
        if cell.colspan > 1 or cell.rowspan > 1:
            cmds.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
    if table.ruling == "none":
        return cmds
    if table.ruling in ("three-line", "outer"):
        cmds.append(("LINEBELOW", (0, nh - 1), (-1, nh - 1), 0.5, colors.black))
        if table.ruling == "outer":
            cmds.append(("BOX", (0, 0), (-1, -1), 1, colors.black))
        else:
            cmds.append(("LINEABOVE", (0, 0), (-1, 0), 1, colors.black))
            cmds.append(("LINEBELOW", (0, nrow - 1), (-1, nrow - 1), 1, colors.black))
        return cmds
    # Lines under each header cell (not through cells spanning down), then under each body row.
    bottoms = [(c, r + cell.rowspan - 1, cell.colspan) for r, c, cell in table.header_grid()]
    for c, rb, cs in bottoms:
        cmds.append(("LINEBELOW", (c, rb), (c + cs - 1, rb), 0.5, colors.black))
    for i in range(len(table.rows)):
        r = nh + i
        nxt = table.rows[i + 1] if i + 1 < len(table.rows) else None
        first = 1 if (table.merge_blanks and nxt is not None and nxt[0] == "") else 0
        cmds.append(("LINEBELOW", (first, r), (-1, r), 0.5, colors.black))
    cmds.append(("LINEABOVE", (0, 0), (-1, 0), 1, colors.black))
    cmds.append(("LINEBELOW", (0, nrow - 1), (-1, nrow - 1), 1, colors.black))
    if table.ruling == "full":
        cmds.append(("BOX", (0, 0), (-1, -1), 1, colors.black))
        # vertical lines: per header cell edge, then straight down through the body
        for r, c, cell in table.header_grid():
            if c + cell.colspan < ncol:
                rb = r + cell.rowspan - 1
                cmds.append(("LINEAFTER", (c + cell.colspan - 1, r), (c + cell.colspan - 1, rb), 0.5, colors.black))
        if table.rows:
            cmds.append(("LINEAFTER", (0, nh), (ncol - 2, nrow - 1), 0.5, colors.black))
    return cmds


def table_flowables(table: TableSpec, font: str, avail: float, annex_page: bool) -> list:
    """Flowables for one table: annex label, title, unit line, the ruled table, note."""
    widths, size = _col_widths(table, font, avail)
    cell_style = _style(font, size, TA_CENTER, leading=size * 1.25)
    out: list = []
    if table.annex:
        out.append(_p(table.annex, _style(font, BODY_SIZE, TA_LEFT, spaceAfter=6)))
    caption = None
    if table.title:
        tsize = max(14, _fit_size(table.title, font, avail, 18))
        caption = _p(table.title, _style(font, tsize, TA_CENTER, leading=tsize * 1.45, spaceBefore=4, spaceAfter=8))
        if not table.caption_below:
            out.append(caption)
    if table.unit:
        out.append(_p(table.unit, _style(font, 12, TA_RIGHT, spaceAfter=3)))
    data: list[list] = [[""] * table.n_cols for _ in table.header]
    for r, c, cell in table.header_grid():
        data[r][c] = _p(cell.text, cell_style)
    for row in table.rows:
        row = (list(row) + [""] * table.n_cols)[: table.n_cols]
        data.append([_p(t, cell_style) if t else "" for t in row])
    if not annex_page:  # an inline table's title is not left alone at the foot of a page
        out.insert(0, CondPageBreak(120))
    out.append(Table(data, colWidths=widths, repeatRows=len(table.header), style=TableStyle(_table_style(table))))
    if caption is not None and table.caption_below:
        out.append(caption)
    if table.note:
        out.append(Spacer(1, 4))
        out.append(_p(table.note, _style(font, 12, TA_LEFT, leading=18)))
    out.append(Spacer(1, 10))
    return out


class _Doc(SimpleDocTemplate):
    """A SimpleDocTemplate that draws the centred "- N -" page number when a page ends, so the
    footer comes last in the page's text order, after the body."""

    footer_font = DEFAULT_FONT

    def afterPage(self):
        c = self.canv
        c.saveState()
        c.setFont(self.footer_font, 14)
        c.drawCentredString(self.pagesize[0] / 2, self.bottomMargin - 14 * mm, f"- {self.page} -")
        c.restoreState()


def build_story(spec: BulletinSpec, font: str, avail: float) -> list:
    """All flowables of the bulletin, in reading order."""
    story: list = []
    if spec.red_header:
        size = _fit_size(spec.red_header, font, avail, 30)
        story.append(_p(spec.red_header, _style(font, size, TA_CENTER, leading=size * 1.4, textColor=RED)))
        story.append(Spacer(1, 10))
    if spec.doc_number:
        story.append(_p(spec.doc_number, _style(font, BODY_SIZE, TA_CENTER, spaceAfter=4)))
    if spec.red_header or spec.doc_number:
        story.append(HRFlowable(width="100%", thickness=2, color=RED, spaceBefore=2, spaceAfter=16))
    story.append(_p(spec.title, _style(font, 22, TA_CENTER, leading=32, spaceAfter=14)))
    body = _style(font, BODY_SIZE, TA_JUSTIFY, leading=28, firstLineIndent=2 * BODY_SIZE)
    for kind, item in body_blocks(spec):
        if kind == "paragraph":
            story.append(_p(item, body))
        else:
            story.append(Spacer(1, 6))
            story += table_flowables(item, font, avail, annex_page=False)
    right = _style(font, BODY_SIZE, TA_RIGHT, leading=28, rightIndent=2 * BODY_SIZE)
    if spec.signature or spec.issue_date:
        story.append(Spacer(1, 24))
    for line in (spec.signature, spec.issue_date):
        if line:
            story.append(_p(line, right))
    for table in annex_tables(spec):
        story.append(PageBreak())
        story += table_flowables(table, font, avail, annex_page=True)
    return story


def column_edges(table: TableSpec, *, page_size=A4, font: str | Path = DEFAULT_FONT) -> list[float]:
    """x positions (PDF points from the left) of the column boundaries of `table` as rendered:
    lets tests crop one column of a page and read its cells top to bottom."""
    avail = page_size[0] - MARGINS["leftMargin"] - MARGINS["rightMargin"] - 12
    widths, _size = _col_widths(table, register_font(font), avail)
    x = MARGINS["leftMargin"] + 6 + (avail - sum(widths)) / 2
    edges = [x]
    for w in widths:
        edges.append(edges[-1] + w)
    return edges


def render_pdf(
    spec: BulletinSpec, path: str | Path, *, page_size=A4, font: str | Path = DEFAULT_FONT, encrypt=None
) -> Path:
    """Write `spec` as a PDF at `path` and return the path (`encrypt`: a pdfencrypt.StandardEncryption)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    name = register_font(font)
    doc = _Doc(
        str(path), pagesize=page_size, title=spec.title, author=spec.issuer, encrypt=encrypt, **MARGINS
    )
    story = build_story(spec, name, doc.width - 12)  # the frame pads 6 pt on each side
    doc.footer_font = name
    doc.build(story)
    return path
