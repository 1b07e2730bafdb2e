"""Render a BulletinSpec to a Word document: real Word tables with merged header cells, header rows
marked to repeat across pages, a red header and rule, and a "- PAGE -" footer field."""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from .spec import BulletinSpec, TableSpec, annex_tables, body_blocks

BODY_FONT, TITLE_FONT = "仿宋_GB2312", "方正小标宋简体"
_BORDERS = {
    "full": dict(top="single", left="single", bottom="single", right="single", insideH="single", insideV="single"),
    "horizontal": dict(top="single", left="nil", bottom="single", right="nil", insideH="single", insideV="nil"),
    "none": dict(top="nil", left="nil", bottom="nil", right="nil", insideH="nil", insideV="nil"),
    "three-line": dict(top="single", left="nil", bottom="single", right="nil", insideH="nil", insideV="nil"),
    "outer": dict(top="single", left="single", bottom="single", right="single", insideH="nil", insideV="nil"),
}
HEADER_RULED = ("three-line", "outer")  # a rule under the header row, drawn as the header cells' bottom border


def _para(doc, text: str, size: float = 16, align=None, font: str = BODY_FONT, color=None, indent: bool = False):
    """Add a paragraph with one run in a CJK font (eastAsia set, as Word needs for Chinese)."""
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(2 * size)
    run = p.add_run(text)
    run.font.size = Pt(size)
    run.font.name = font
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if color is not None:
        run.font.color.rgb = color
    return p


def _bottom_rule(paragraph, color: str = "FF0000") -> None:
    """Draw the red rule under the document number as a paragraph bottom border."""
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in dict(val="single", sz="18", space="1", color=color).items():
        bottom.set(qn(f"w:{k}"), v)
    bdr.append(bottom)
    paragraph._p.get_or_add_pPr().append(bdr)


def _borders(table, ruling: str) -> None:
    """Set the table's borders for ruling "full", "horizontal" or "none"."""
    borders = OxmlElement("w:tblBorders")
    for edge, val in _BORDERS[ruling].items():
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), val)
        if val != "nil":
            el.set(qn("w:sz"), "4")
            el.set(qn("w:color"), "000000")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _cell_bottom_rule(cell) -> None:
    """A single rule under one cell (the rule under a three-line or outer-ruled table's header)."""
    props = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    for k, v in dict(val="single", sz="4", color="000000").items():
        bottom.set(qn(f"w:{k}"), v)
    borders.append(bottom)
    props.append(borders)


def _repeat_header(row) -> None:
    """Mark a table row as a header row that Word repeats on each page."""
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def add_table(doc, spec: TableSpec) -> None:
    """Add annex label, title, unit, the Word table (merged header cells) and the note."""
    if spec.annex:
        _para(doc, spec.annex, 16, font="黑体")
    if not spec.caption_below:
        _para(doc, spec.title, 18, WD_ALIGN_PARAGRAPH.CENTER, TITLE_FONT)
    if spec.unit:
        _para(doc, spec.unit, 12, WD_ALIGN_PARAGRAPH.RIGHT)
    nh = len(spec.header)
    table = doc.add_table(rows=nh + len(spec.rows), cols=spec.n_cols)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table, spec.ruling)
    widths, size = _widths(doc, spec)
    for r, c, cell in spec.header_grid():
        target = table.cell(r, c)
        if cell.colspan > 1 or cell.rowspan > 1:
            target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
        _cell_text(target, cell.text, size, WD_ALIGN_PARAGRAPH.CENTER)  # offices centre header labels
    for i, row in enumerate(spec.rows):
        for c, text in enumerate(row[: spec.n_cols]):
            if c == 0 and spec.merge_blanks and text == "" and i > 0:
                table.cell(nh + i - 1, 0).merge(table.cell(nh + i, 0))
            elif text:
                _cell_text(table.cell(nh + i, c), text, size)
    table.autofit = False
    for row in table.rows:
        for c, cell in enumerate(row.cells[: len(widths)]):
            cell.width = Pt(widths[c])
    for r in range(nh):
        _repeat_header(table.rows[r])
    if spec.ruling in HEADER_RULED:
        for cell in table.rows[nh - 1].cells:
            _cell_bottom_rule(cell)
    if spec.caption_below:
        _para(doc, spec.title, 18, WD_ALIGN_PARAGRAPH.CENTER, TITLE_FONT)
    if spec.note:
        _para(doc, spec.note, 12)


def _widths(doc, spec: TableSpec) -> tuple[list[float], float]:
    """Column widths (points) and font size for the table, as the PDF renderer lays them out on the
    page's text width: numbers never wrap, names wrap when space is short."""
    from .pdf import DEFAULT_FONT, _col_widths, register_font

    section = doc.sections[-1]
    avail = (section.page_width - section.left_margin - section.right_margin) / 12700  # EMU per point
    return _col_widths(spec, register_font(DEFAULT_FONT), avail)


def _cell_text(cell, text: str, size: float, align=None) -> None:
    """A cell's text in the table's font size (one run, the CJK font set)."""
    cell.text = ""
    if align is not None:
        cell.paragraphs[0].alignment = align
    run = cell.paragraphs[0].add_run(text)
    run.font.size = Pt(size)
    run.font.name = BODY_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)


def _footer_page_number(doc) -> None:
    """Footer "- N -" with a PAGE field, centred."""
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("- ")
    run = p.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    p.add_run(" -")


def render_docx(spec: BulletinSpec, path: str | Path, landscape: bool = False) -> Path:
    """Write `spec` as a .docx at `path` (on landscape pages, as offices print wide tables) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = Document()
    if landscape:
        section = doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    doc.core_properties.title = spec.title
    doc.core_properties.author = spec.issuer
    if spec.red_header:
        _para(doc, spec.red_header, 26, WD_ALIGN_PARAGRAPH.CENTER, TITLE_FONT, RGBColor(0xD9, 0, 0))
    if spec.doc_number:
        p = _para(doc, spec.doc_number, 16, WD_ALIGN_PARAGRAPH.CENTER)
        if spec.red_header:
            _bottom_rule(p)
    _para(doc, spec.title, 22, WD_ALIGN_PARAGRAPH.CENTER, TITLE_FONT)
    for kind, item in body_blocks(spec):
        if kind == "paragraph":
            _para(doc, item, indent=True)
        else:
            add_table(doc, item)
    for line in (spec.signature, spec.issue_date):
        if line:
            _para(doc, line, align=WD_ALIGN_PARAGRAPH.RIGHT)
    for table in annex_tables(spec):
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        add_table(doc, table)
    _footer_page_number(doc)
    doc.save(str(path))
    return path
