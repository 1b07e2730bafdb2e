"""The HTML audit report: a summary across documents, then each document's findings with the arithmetic.

Self-contained (no scripts or styles from the network), in Chinese, sortable by severity.
"""
from __future__ import annotations

import html
from pathlib import Path

from ..model import Document
from ..pdfium_lock import PDFIUM_LOCK
from .page_images import finding_images
from .writers import write_text_atomic

MAX_IMAGES = 40  # page images per document, to keep the report light
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}

_STYLE = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}th,td{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f3f3f3;cursor:pointer;white-space:nowrap}td:first-child{white-space:nowrap}.error{color:#b00020;font-weight:bold}.warning{color:#a05a00}.info{color:#555}
.failed{background:#fde8e8}img.region{max-width:480px;border:1px solid #999;margin-top:.3em}code{font-family:monospace;white-space:pre-wrap}h2{border-bottom:2px solid #b00020;padding-bottom:.2em}
"""
_SORT = """
document.querySelectorAll('th[data-sort]').forEach(function(th){th.addEventListener('click',function(){
var t=th.closest('table'),b=t.tBodies[0],i=th.cellIndex,rows=[].slice.call(b.rows);
var asc=th.dataset.dir!=='asc';th.dataset.dir=asc?'asc':'desc';
rows.sort(function(a,c){var x=a.cells[i].dataset.key||a.cells[i].textContent,y=c.cells[i].dataset.key||c.cells[i].textContent;
return (x>y?1:x<y?-1:0)*(asc?1:-1)});rows.forEach(function(r){b.appendChild(r)})})});
"""


def _e(x) -> str:
    return html.escape("" if x is None else str(x))


def render_report(docs: list[Document]) -> str:
    parts = ["<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>tongbao 审计报告</title>",
             f"<style>{_STYLE}</style></head><body><h1>tongbao 审计报告</h1>", _summary(docs)]
    for doc in docs:
        parts.append(_document_section(doc))
    parts.append(f"<script>{_SORT}</script></body></html>")
    return "".join(parts)


def _summary(docs: list[Document]) -> str:
    rows = []
    for d in docs:
        counts = {s: sum(f.severity == s for f in d.findings) for s in SEVERITY_ORDER}
        verified = sum(f.severity == "pass" for f in d.checks)
        rows.append(f"<tr class='{'failed' if d.status == 'failed' else ''}'><td><a href='#doc-{_e(d.doc_id[:12])}'>{_e(d.title or d.source_path)}</a></td>"
                    f"<td>{_e(d.format)}</td>"
                    f"<td>{_e(d.issuer)}</td><td>{_e(d.period_label)}</td><td>{_e(d.status)}</td>"
                    f"<td data-key='{counts['error']:06d}' class='error'>{counts['error']}</td><td data-key='{counts['warning']:06d}'>{counts['warning']}</td>"
                    f"<td data-key='{counts['info']:06d}'>{counts['info']}</td><td data-key='{verified:06d}'>{verified}</td><td>{_e(d.error)}</td></tr>")
    head = "".join(f"<th data-sort>{h}</th>" for h in ("文件", "格式", "发文单位", "期间", "状态", "错误", "警告", "提示", "已核实", "原因"))
    return f"<h2>概览</h2><p>共 {len(docs)} 份文件。</p><table id='summary'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _document_section(doc: Document) -> str:
    findings = sorted(doc.findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.check))
    head = "".join(f"<th data-sort>{h}</th>" for h in ("级别", "检查", "说明", "算式", "应为", "印为", "差额", "位置"))
    rows = []
    images = _images(doc, findings)
    for f in findings:
        where = _e(_locations_text(f.locations))
        where += "".join(f"<br><img class='region' alt='页面区域' src='{uri}'>" for uri in images.get(id(f), []))
        rows.append(f"<tr class='finding'><td class='{f.severity}' data-key='{SEVERITY_ORDER.get(f.severity, 9)}'>{SEVERITY_LABEL.get(f.severity, f.severity)}</td>"
                    f"<td>{_e(f.check)}</td><td>{_e(f.message)}</td><td><code>{_e(f.arithmetic)}</code></td>"
                    f"<td>{_e(_num(f.expected))}</td><td>{_e(_num(f.reported))}</td><td>{_e(_num(f.difference))}</td><td>{where}</td></tr>")
    meta = f"{_e(doc.issuer)} · {_e(doc.doc_number)} · {_e(doc.issue_date)} · {_e(doc.format)}"
    body = (f"<table class='findings'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            if rows else "<p>没有发现问题。</p>")
    return f"<section id='doc-{_e(doc.doc_id[:12])}'><h2>{_e(doc.title or doc.source_path)}</h2><p>{meta}</p>{body}</section>"


def _images(doc: Document, findings) -> dict[int, list[str]]:
    """Page-region images for the findings of a PDF, errors and warnings first, at most MAX_IMAGES."""
    if doc.format != "pdf":
        return {}
    import pypdfium2 as pdfium

    out: dict[int, list[str]] = {}
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(doc.source_path)
        except Exception:  # the source moved or cannot be opened: the report still lists the findings
            return {}
        try:
            for f in [f for f in findings if f.severity in ("error", "warning")][:MAX_IMAGES]:
                out[id(f)] = finding_images(doc.source_path, f.locations, pdf)
        finally:
            pdf.close()
    return out


def _locations_text(locations: list[dict]) -> str:
    """Where a finding points, briefly: each figure quoted, table cells counted per row and page."""
    parts: list[str] = []
    rows: dict[tuple, int] = {}
    for loc in locations:
        if "figure_id" in loc:
            parts.append(_figure_text(loc))
        else:
            key = (loc.get("row_label", ""), loc.get("page"))
            rows[key] = rows.get(key, 0) + 1
    for (label, page), n in rows.items():
        parts.append(f"「{label}」{n} 格" + (f" 第{page}页" if page else ""))
    return "; ".join(parts[:8]) + ("…" if len(parts) > 8 else "")


def _figure_text(loc: dict) -> str:
    return f"正文“{loc.get('text', '')}”" + (f" 第{loc['page']}页" if loc.get("page") else "")


def _num(x) -> str:
    if x is None:
        return ""
    return f"{x:.6f}".rstrip("0").rstrip(".")


def write_report(docs: list[Document], path: Path) -> Path:
    return write_text_atomic(Path(path), render_report(docs))


