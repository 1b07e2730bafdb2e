"""Render a BulletinSpec as an HTML page like a government site's bulletin: <table> with
colspan/rowspan headers; UTF-8 by default, or GB18030 bytes with a matching meta charset."""
from __future__ import annotations

from html import escape
from pathlib import Path

from .spec import BulletinSpec, TableSpec, annex_tables, body_blocks

_BORDER = {"full": "1px solid #000", "horizontal": "none", "none": "none", "three-line": "none", "outer": "none"}
_TABLE_BORDER = {"outer": "border:1px solid #000;", "three-line": "border-top:1px solid #000;border-bottom:1px solid #000;"}


def table_html(spec: TableSpec) -> str:
    """One table with its annex label, title, unit line and note."""
    out = []
    if spec.annex:
        out.append(f'<p class="annex">{escape(spec.annex)}</p>')
    caption = f'<p class="table-title" style="text-align:center">{escape(spec.title)}</p>'
    if not spec.caption_below:
        out.append(caption)
    if spec.unit:
        out.append(f'<p style="text-align:right">{escape(spec.unit)}</p>')
    td = f'border:{_BORDER[spec.ruling]}'
    if spec.ruling == "horizontal":
        td += ";border-bottom:1px solid #000"
    out.append(f'<table style="border-collapse:collapse;{_TABLE_BORDER.get(spec.ruling, "")}">')
    out.append("<thead>")
    for row in spec.header:
        cells = "".join(
            f'<th style="{td}"'
            + (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
            + (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "")
            + f">{escape(c.text)}</th>"
            for c in row
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</thead><tbody>")
    for row in spec.rows:
        out.append("<tr>" + "".join(f'<td style="{td}">{escape(t)}</td>' for t in row) + "</tr>")
    out.append("</tbody></table>")
    if spec.caption_below:
        out.append(caption)
    if spec.note:
        out.append(f"<p>{escape(spec.note)}</p>")
    return "\n".join(out)


def spec_to_html(spec: BulletinSpec, charset: str = "utf-8") -> str:
    """The whole bulletin as an HTML document declaring `charset`."""
    parts = [f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="{charset}">',
             f"<title>{escape(spec.title)}</title></head><body>"]
    if spec.red_header:
        parts.append(f'<h1 style="color:#d00;text-align:center">{escape(spec.red_header)}</h1>')
    if spec.doc_number:
        parts.append(f'<p class="doc-number" style="text-align:center">{escape(spec.doc_number)}</p><hr>')
    parts.append(f'<h2 style="text-align:center">{escape(spec.title)}</h2>')
    for kind, item in body_blocks(spec):
        parts.append(f'<p style="text-indent:2em">{escape(item)}</p>' if kind == "paragraph" else table_html(item))
    for line in (spec.signature, spec.issue_date):
        if line:
            parts.append(f'<p style="text-align:right">{escape(line)}</p>')
    parts += [table_html(t) for t in annex_tables(spec)]
    parts.append("</body></html>\n")
    return "\n".join(parts)


def render_html(spec: BulletinSpec, path: str | Path, *, encoding: str = "utf-8") -> Path:
    """Write `spec` as HTML in `encoding` ("utf-8" or "gb18030"), with a meta charset saying so."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(spec_to_html(spec, charset=encoding.lower()).encode(encoding))
    return path
