"""The HTML audit report: summaries by check and by document, filters, then each document's findings.

One self-contained file (no network: its style and plain JavaScript are inline, its page images
data URIs), in Chinese, for a batch of hundreds of documents:
- the filters (severity, check, document, a search box) live in the URL's fragment
  (`#sev=error,warning&check=row_sum&doc=<id>&q=<text>`), so a view can be linked or bookmarked;
- each document's section is collapsed but for the first OPEN_SECTIONS with errors, warnings or a
  failure; a filter opens the sections it matches;
- a file that could not be read is shown as failed, with the reason, never as clean;
- page images (PDF sources): at most MAX_IMAGES_PER_DOC per document, MAX_IMAGES and MAX_IMAGE_BYTES
  of image data in the report, errors before warnings, shared out so every document gets its first error's image before any gets
  a second. See page_images.py for what an image shows.
"""
from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from ..model import STATUS_FAILED, STATUS_PARTIAL, Document, Finding, printable_path
from ..pdfium_lock import PDFIUM_LOCK
from .page_images import Crop, PageRenderer, finding_crops
from .writers import write_text_atomic

MAX_IMAGES = 50  # page images in the whole report
MAX_IMAGES_PER_DOC = 4  # page images per document
MAX_IMAGE_BYTES = 600_000  # characters of image data (base64) in the whole report
OPEN_SECTIONS = 3  # document sections open when the report is opened
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2, "failed": -1}
SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示", "failed": "读取失败"}
STATUS_LABEL = {"ok": "已读", STATUS_PARTIAL: "部分读取", STATUS_FAILED: "读取失败"}
READ_CHECK = "read"  # the pseudo-check of a file that could not be read
CHECK_LABEL = {
    "row_sum": "行合计", "column_sum": "列合计", "percentage": "百分比", "share_sum": "占比之和", "count": "个数",
    "max_points": "满分", "part_of_total": "分项不超过总数", "ranking": "排名", "period": "期间",
    "narrative_total": "正文与表格", "breakdown": "正文分项", "difference": "差额", "growth": "增减",
    "stated_rule": "文中规则", "rule": "自定规则", "extraction_unsure": "提取存疑", "ocr": "文字识别", READ_CHECK: "读取",
}

_STYLE = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;margin:0 2em 2em;color:#222;font-size:15px}
h1{margin:.6em 0 .2em}h2{border-bottom:2px solid #999;padding-bottom:.2em;margin-top:1.4em}
table{border-collapse:collapse;margin:.4em 0 1em;width:100%}th,td{border:1px solid #ccc;padding:.25em .45em;vertical-align:top;text-align:left}
th{background:#f3f3f3;white-space:nowrap}th[data-sort]{cursor:pointer}th[data-sort]:after{content:" ⇅";color:#aaa}
td.n{text-align:right;white-space:nowrap}td.zero,.zero{color:#aaa;font-weight:normal}
.error{color:#b00020;font-weight:bold}.warning{color:#a05a00;font-weight:bold}.info{color:#555}.failed{color:#b00020;font-weight:bold}
tr.failed td{background:#fde8e8}#by-doc td:first-child{white-space:nowrap}
table.findings th:nth-child(1){width:3.5em}table.findings th:nth-child(2){width:6em}table.findings th:nth-child(7){width:13em}.file{font-family:monospace;color:#555;font-size:90%;word-break:break-all}
#filters{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid #ccc;padding:.5em 0;display:flex;flex-wrap:wrap;gap:.4em 1.2em;align-items:center}
#filters label{white-space:nowrap}#filters select{max-width:22em}#f-q{width:16em}#shown{color:#555}
.scroll{max-height:26em;overflow:auto;border:1px solid #ddd}.scroll table{margin:0}.scroll thead th{position:sticky;top:0}
details.doc{border:1px solid #ddd;border-radius:4px;margin:.35em 0;padding:0 .6em}details.doc[open]{padding-bottom:.4em}
details.doc>summary{cursor:pointer;padding:.4em 0;list-style-position:inside}details.doc>summary .title{font-weight:bold}
.badge{display:inline-block;border-radius:3px;padding:0 .4em;margin-left:.4em;font-size:85%;background:#f1f1f1}
.meta{color:#555;margin:.2em 0}.failure{background:#fde8e8;border-left:4px solid #b00020;padding:.4em .6em}.clean{color:#256029}
td.where{font-size:90%;color:#444;min-width:8em}code{font-family:monospace;white-space:pre-wrap;display:block;color:#333;margin-top:.2em}
tr.crop td{border-top:none}figure{display:inline-block;margin:.2em 1em .2em 0;vertical-align:top}figcaption{font-size:85%;color:#555}
img.region{border:1px solid #999;max-width:100%;height:auto}.legend b{padding:0 .3em}.focus{color:#c80020}.compared{color:#1d4ed8}
"""

_SCRIPT = r"""
(function(){
function all(s,r){return [].slice.call((r||document).querySelectorAll(s))}
var sections=all('details.doc'),docRows=all('#by-doc tbody tr');
sections.forEach(function(s){s._name=(s.getAttribute('data-name')||'').toLowerCase();s._open=s.open;
 s._items=all('.finding',s);s._items.forEach(function(t){t._text=t.textContent.toLowerCase()})});
var sevs=all('#filters input[name=sev]'),fCheck=document.getElementById('f-check'),fDoc=document.getElementById('f-doc'),
 fQ=document.getElementById('f-q'),shown=document.getElementById('shown'),total=sections.reduce(function(n,s){return n+s._items.length},0);
function parse(){var st={sev:null,check:'',doc:'',q:''};location.hash.replace(/^#/,'').split('&').forEach(function(kv){
 var i=kv.indexOf('=');if(i<0)return;var k=kv.slice(0,i),v;try{v=decodeURIComponent(kv.slice(i+1).replace(/\+/g,' '))}catch(e){return}
 if(k==='sev')st.sev=v?v.split(','):[];else if(k in st)st[k]=v});return st}
function read(){var on=sevs.filter(function(b){return b.checked}).map(function(b){return b.value});
 return {sev:on.length===sevs.length?null:on,check:fCheck.value,doc:fDoc.value,q:fQ.value.trim()}}
function write(st){sevs.forEach(function(b){b.checked=!st.sev||st.sev.indexOf(b.value)>=0});fCheck.value=st.check;
 if(fCheck.value!==st.check)fCheck.value='';fDoc.value=st.doc;if(fDoc.value!==st.doc)fDoc.value='';fQ.value=st.q}
function hash(st){var p=[];if(st.sev)p.push('sev='+st.sev.join(','));['check','doc','q'].forEach(function(k){if(st[k])p.push(k+'='+encodeURIComponent(st[k]))});return p.join('&')}
function apply(st){var q=st.q.toLowerCase(),plain=!st.sev&&!st.check&&!q,nf=0,nd=0,vis={};
 sections.forEach(function(s){var id=s.getAttribute('data-doc'),mine=!st.doc||id===st.doc,named=q&&s._name.indexOf(q)>=0,n=0;
  s._items.forEach(function(t){var ok=mine&&(!st.sev||st.sev.indexOf(t.getAttribute('data-sev'))>=0)&&(!st.check||t.getAttribute('data-check')===st.check)&&(!q||named||t._text.indexOf(q)>=0);
   t.hidden=!ok;if(ok)n++});
  var on=mine&&(plain?true:n>0);s.hidden=!on;s.open=(plain&&!st.doc)?s._open:on;if(on){nd++;vis[id]=1}nf+=n});
 docRows.forEach(function(r){r.hidden=!vis[r.getAttribute('data-doc')]});
 shown.textContent='显示 '+nf+' / '+total+' 条，'+nd+' / '+sections.length+' 份文件';shown.setAttribute('data-findings',nf);shown.setAttribute('data-docs',nd)}
function fromHash(){write(parse());var st=read();apply(st);if(st.doc){var s=document.getElementById('doc-'+st.doc);if(s)s.scrollIntoView()}}
function fromControls(){var st=read(),h=hash(st);history.replaceState(null,'',h?'#'+h:location.pathname+location.search);apply(st)}
sevs.concat([fCheck,fDoc]).forEach(function(c){c.addEventListener('change',fromControls)});fQ.addEventListener('input',fromControls);
document.getElementById('f-clear').addEventListener('click',function(){write({sev:null,check:'',doc:'',q:''});fromControls()});
all('[data-set]').forEach(function(a){a.addEventListener('click',function(e){e.preventDefault();var st={sev:null,check:'',doc:'',q:''},kv=a.getAttribute('data-set').split('=');
 st[kv[0]]=kv[1];write(st);fromControls();var s=st.doc&&document.getElementById('doc-'+st.doc);(s||document.getElementById('documents')).scrollIntoView()})});
window.addEventListener('hashchange',fromHash);
all('th[data-sort]').forEach(function(th){th.addEventListener('click',function(){
 var t=th.closest('table'),i=th.cellIndex,asc=th.getAttribute('data-dir')!=='asc',many=t.tBodies.length>1||t.classList.contains('findings');
 th.setAttribute('data-dir',asc?'asc':'desc');var items=many?[].slice.call(t.tBodies):[].slice.call(t.tBodies[0].rows);
 function key(x){var c=(many?x.rows[0]:x).cells[i];return c.getAttribute('data-key')||c.textContent}
 items.sort(function(a,b){var x=key(a),y=key(b);return (x>y?1:x<y?-1:0)*(asc?1:-1)});
 items.forEach(function(x){(many?t:t.tBodies[0]).appendChild(x)})})});
fromHash();
})();
"""


def _e(x) -> str:
    return html.escape("" if x is None else str(x))


def _short(doc: Document) -> str:
    return doc.doc_id[:12]


def _file(doc: Document) -> str:
    return printable_path(Path(doc.source_path).name)


def _check_label(check: str) -> str:
    return CHECK_LABEL.get(check, check)


def _count(n: int | None, severity: str) -> str:
    if n is None:
        return "<td class='n zero' data-key='-00001'>—</td>"
    return f"<td class='n {severity if n else 'zero'}' data-key='{n:06d}'>{n}</td>"


def _counts(doc: Document) -> dict[str, int]:
    c = Counter(f.severity for f in doc.findings)
    return {s: c.get(s, 0) for s in ("error", "warning", "info")}


@dataclass
class DocSummary:
    """What the report's summaries need of one document, small enough to keep for thousands (and
    stored beside each finished document, so a batch's report is made one document at a time)."""

    short: str
    file: str
    title: str | None
    format: str
    status: str
    error: str | None
    counts: dict[str, int]
    verified: int
    checks: dict[str, dict[str, int]]  # check → severity → n ("pass" the verified ones)
    pictured: list[tuple[int, int]]  # (severity order, pages) of each finding a page image could show, in order

    @classmethod
    def of(cls, doc: Document) -> "DocSummary":
        checks: dict[str, Counter] = {}
        for f in doc.checks:
            if f.severity == "pass":
                checks.setdefault(f.check, Counter())["pass"] += 1
        for f in doc.findings:
            checks.setdefault(f.check, Counter())[f.severity] += 1
        pictured = [(SEVERITY_ORDER[f.severity], _pages(f)) for f in _picturable(doc)]
        return cls(_short(doc), _file(doc), doc.title, doc.format, doc.status, doc.error, _counts(doc),
                   sum(f.severity == "pass" for f in doc.checks), {k: dict(v) for k, v in checks.items()}, pictured)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "DocSummary":
        return cls(**{**data, "pictured": [tuple(x) for x in data["pictured"]]})


def render_report(docs: list[Document]) -> str:
    return render_report_from([DocSummary.of(d) for d in docs], docs.__getitem__)


def render_report_from(summaries: list[DocSummary], load: Callable[[int], Document]) -> str:
    """The report from each document's summary, loading one document at a time (`load(i)`) to draw
    its page images and its section: memory does not grow with the batch."""
    images = _images(summaries, load)
    open_ids = {s.short for s in _first_to_open(summaries)}
    parts = ["<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width'><title>tongbao 审计报告</title>",
             f"<style>{_STYLE}</style></head><body><h1>tongbao 审计报告</h1>", _lead(summaries),
             _filters(summaries), _by_check(summaries), _by_document(summaries),
             "<h2 id='documents'>各文件的发现</h2>", _legend(images)]
    for i, s in enumerate(summaries):
        parts.append(_section_or_note(s, lambda: load(i), images, s.short in open_ids))
    parts.append(f"<script>{_SCRIPT}</script></body></html>")
    return "".join(parts)


def _section_or_note(summary: DocSummary, load, images: dict, is_open: bool) -> str:
    """A document's section; one that cannot be drawn says why, and the report goes on."""
    try:
        return _document_section(load(), images, is_open)
    except Exception as exc:  # one document's bad data must not cost the batch its report
        return (f"<details class='doc' id='doc-{summary.short}' data-doc='{summary.short}' data-name='{_e(summary.file)}'>"
                f"<summary><span class='file'>{_e(summary.file)}</span></summary><p class='failure finding' data-sev='failed' "
                f"data-check='{READ_CHECK}'>本节未能生成：{_e(type(exc).__name__)}: {_e(exc)}</p></details>")


def _first_to_open(summaries: list[DocSummary]) -> list[DocSummary]:
    """The first OPEN_SECTIONS documents with an error or a failure to read, else with a warning."""
    def rank(s: DocSummary) -> int:
        if s.status == STATUS_FAILED or s.counts["error"]:
            return 0
        return 1 if s.counts["warning"] else 2

    return sorted((s for s in summaries if rank(s) < 2), key=rank)[:OPEN_SECTIONS]


def _lead(summaries: list[DocSummary]) -> str:
    failed = sum(s.status == STATUS_FAILED for s in summaries)
    totals = Counter()
    for s in summaries:
        totals.update(s.counts)
    verified = sum(s.verified for s in summaries)

    def n(k: int, unit: str, label: str, cls: str) -> str:
        return f"<span class='{cls if k else 'zero'}'>{k} {unit}{label}</span>"

    return (f"<p id='lead'>共 {len(summaries)} 份文件：{len(summaries) - failed} 份已读，{n(failed, '份', '读取失败', 'failed')}；"
            f"{n(totals['error'], '个', '错误', 'error')}、{n(totals['warning'], '个', '警告', 'warning')}、"
            f"{n(totals['info'], '条', '提示', 'info')}；已核实 {verified} 项。</p>")


def _filters(summaries: list[DocSummary]) -> str:
    sev_counts = Counter()
    for s in summaries:
        sev_counts.update(s.counts)
    sev_counts["failed"] = sum(s.status == STATUS_FAILED for s in summaries)
    boxes = "".join(f"<label><input type='checkbox' name='sev' value='{s}' checked> <span class='{s}'>{SEVERITY_LABEL[s]}</span> "
                    f"({sev_counts[s]})</label>" for s in ("error", "warning", "info", "failed"))
    checks = _check_counts(summaries)
    check_opts = "".join(f"<option value='{_e(c)}'>{_e(_check_label(c))} ({sum(n for s, n in v.items() if s != 'pass')})</option>"
                         for c, v in checks.items() if any(s != "pass" and n for s, n in v.items()))
    doc_opts = "".join(f"<option value='{s.short}'>{_e(s.file)}</option>" for s in summaries)
    return (f"<div id='filters'><span>级别：</span>{boxes}"
            f"<label>检查：<select id='f-check'><option value=''>全部</option>{check_opts}</select></label>"
            f"<label>文件：<select id='f-doc'><option value=''>全部</option>{doc_opts}</select></label>"
            f"<label>搜索：<input type='search' id='f-q' placeholder='单位、数字、文件名…'></label>"
            f"<button type='button' id='f-clear'>清除筛选</button><span id='shown'></span></div>")


def _check_counts(summaries: list[DocSummary]) -> dict[str, Counter]:
    """check → counts by severity ("pass" for the verified ones, "docs" the documents with a finding)."""
    out: dict[str, Counter] = {}
    for s in summaries:
        if s.status == STATUS_FAILED:
            out.setdefault(READ_CHECK, Counter())["failed"] += 1
            out[READ_CHECK]["docs"] += 1
        for check, by_severity in s.checks.items():
            c = out.setdefault(check, Counter())
            c.update(by_severity)
            if any(sev != "pass" and n for sev, n in by_severity.items()):
                c["docs"] += 1
    return dict(sorted(out.items(), key=lambda kv: (-kv[1]["failed"], -kv[1]["error"], -kv[1]["warning"], -kv[1]["info"], kv[0])))


def _by_check(summaries: list[DocSummary]) -> str:
    rows = []
    for check, c in _check_counts(summaries).items():
        name = f"<a href='#check={_e(check)}' data-set='check={_e(check)}'>{_e(_check_label(check))}</a> <span class='file'>{_e(check)}</span>"
        if check == READ_CHECK:
            cells = _count(c["failed"], "failed") + _count(None, "") * 3
        else:
            cells = _count(c["error"], "error") + _count(c["warning"], "warning") + _count(c["info"], "info") + _count(c["pass"], "pass")
        rows.append(f"<tr><td>{name}</td>{cells}{_count(c['docs'], 'docs')}</tr>")
    head = "".join(f"<th data-sort>{h}</th>" for h in ("检查", "错误", "警告", "提示", "已核实", "涉及文件"))
    return (f"<h2>按检查汇总</h2><table id='by-check'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            "<p class='meta'>“读取”一行的错误栏为读取失败的文件数。</p>")


def _by_document(summaries: list[DocSummary]) -> str:
    rows = []
    for s in summaries:
        failed = s.status == STATUS_FAILED
        c = s.counts
        counts = (_count(None, "") * 4 if failed else
                  _count(c["error"], "error") + _count(c["warning"], "warning") + _count(c["info"], "info") + _count(s.verified, "pass"))
        status = f"<td class='failed'>{STATUS_LABEL[STATUS_FAILED]}</td>" if failed else f"<td>{_e(STATUS_LABEL.get(s.status, s.status))}</td>"
        rows.append(f"<tr data-doc='{s.short}' class='{'failed' if failed else ''}'>"
                    f"<td><a href='#doc={s.short}' data-set='doc={s.short}' class='file'>{_e(s.file)}</a></td>"
                    f"<td>{_e(s.title or '')}</td><td>{_e(s.format)}</td>{status}{counts}<td>{_e(s.error or '')}</td></tr>")
    head = "".join(f"<th data-sort>{h}</th>" for h in ("文件", "标题", "格式", "状态", "错误", "警告", "提示", "已核实", "原因"))
    return (f"<h2>按文件汇总</h2><div class='scroll'><table id='by-doc'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _legend(images: dict) -> str:
    n = sum(len(v) for v in images.values())
    return (f"<p class='meta legend'>页面图（PDF 来源）：<b class='focus'>红框</b>为所核对的格（合计、比率等），"
            f"<b class='compared'>蓝框</b>为参与比较的格，灰条表示其间略去的行或列。本报告附 {n} 幅页面图"
            f"（每份文件至多 {MAX_IMAGES_PER_DOC} 幅，全报告至多 {MAX_IMAGES} 幅、{MAX_IMAGE_BYTES // 1000} KB，错误优先）。</p>")


def _document_section(doc: Document, images: dict, is_open: bool) -> str:
    failed = doc.status == STATUS_FAILED
    findings = sorted(enumerate(doc.findings), key=lambda t: (SEVERITY_ORDER.get(t[1].severity, 9), t[1].check))
    c = _counts(doc)
    verified = sum(f.severity == "pass" for f in doc.checks)
    if failed:
        badges = f"<span class='badge failed'>{SEVERITY_LABEL['failed']}</span>"
    else:
        badges = "".join(f"<span class='badge {s if c[s] else 'zero'}'>{c[s]} {SEVERITY_LABEL[s]}</span>" for s in ("error", "warning", "info"))
        badges += f"<span class='badge zero'>已核实 {verified}</span>"
    meta = " · ".join(_e(x) for x in (doc.issuer, doc.doc_number, doc.issue_date, doc.period_label, doc.format,
                                         f"{doc.n_pages} 页" if doc.n_pages else None,
                                         STATUS_LABEL.get(doc.status, doc.status) if doc.status != "ok" else None) if x)
    pictured = doc.format == "pdf"
    items = [_finding_rows(f, images.get((_short(doc), i)), pictured) for i, f in findings]
    head = "".join(f"<th data-sort>{h}</th>" for h in ("级别", "检查", "说明与算式", "应为", "印为", "差额", "位置"))
    if items:
        body = f"<table class='findings'><thead><tr>{head}</tr></thead>{''.join(items)}</table>"
    elif verified:
        body = f"<p class='clean'>没有发现问题：已核实 {verified} 项。</p>"
    else:
        body = "<p class='meta'>没有发现问题，也没有可核对的合计、比率或分值。</p>"
    if failed:  # an item of its own, so the filters find it (severity "failed", check "read")
        body = (f"<p class='failure finding' data-sev='failed' data-check='{READ_CHECK}'>读取失败：{_e(doc.error or '未能读取')}</p>"
                + (body if items else ""))
    name = f"{doc.title or ''} {_file(doc)}"
    heading = (f"<span class='title'>{_e(doc.title)}</span> " if doc.title else "") + f"<span class='file'>{_e(_file(doc))}</span>"
    return (f"<details class='doc' id='doc-{_short(doc)}' data-doc='{_short(doc)}' data-name='{_e(name.strip())}'{' open' if is_open else ''}>"
            f"<summary>{heading}{badges}</summary>"
            f"<p class='meta'>{meta}</p>{body}</details>")


def _finding_rows(f: Finding, crops: list[Crop] | None, pictured: bool = False) -> str:
    arithmetic = f"<code>{_e(f.arithmetic)}</code>" if f.arithmetic else ""
    where = _e(_locations_text(f.locations))
    if pictured and not crops and f.severity in ("error", "warning") and _has_cells(f):
        where += "<br><span class='zero'>页面图从略（已达上限）</span>"
    row = (f"<tr><td class='{f.severity}' data-key='{SEVERITY_ORDER.get(f.severity, 9)}'>{SEVERITY_LABEL.get(f.severity, f.severity)}</td>"
           f"<td>{_e(_check_label(f.check))}</td><td>{_e(f.message)}{arithmetic}</td>"
           f"<td class='n'>{_e(_num(f.expected))}</td><td class='n'>{_e(_num(f.reported))}</td><td class='n'>{_e(_num(f.difference))}</td>"
           f"<td class='where'>{where}</td></tr>")
    if crops:
        figures = "".join(_figure(c) for c in crops)
        row += f"<tr class='crop'><td></td><td colspan='6'>{figures}</td></tr>"
    return f"<tbody class='finding' data-sev='{_e(f.severity)}' data-check='{_e(f.check)}'>{row}</tbody>"


def _figure(crop: Crop) -> str:
    caption = f"第{crop.page}页" + (f"，略去 {crop.rows_left_out} 行" if crop.rows_left_out else "")
    return (f"<figure><img class='region' loading='lazy' decoding='async' width='{crop.width}' height='{crop.height}' "
            f"alt='第{crop.page}页的表格区域' src='{crop.uri}'><figcaption>{caption}</figcaption></figure>")


def _has_cells(f: Finding) -> bool:
    return any(loc.get("page") and loc.get("x0") is not None for loc in f.locations)


def _picturable(doc: Document) -> list[Finding]:
    """The findings of a PDF a page image could show, most serious first."""
    if doc.format != "pdf" or doc.status == STATUS_FAILED:
        return []
    return sorted((f for f in doc.findings if f.severity in ("error", "warning") and _has_cells(f)),
                  key=lambda f: (SEVERITY_ORDER[f.severity], f.check))


def _pages(f: Finding) -> int:
    return min(2, len({loc["page"] for loc in f.locations if loc.get("page") and loc.get("x0") is not None}))


def _images(summaries: list[DocSummary], load: Callable[[int], Document]) -> dict[tuple[str, int], list[Crop]]:
    """Page images for the errors and warnings of PDFs: each document's first error before any
    document's second, errors before warnings, at most MAX_IMAGES_PER_DOC per document and
    MAX_IMAGES in all. Keyed by (document, index of the finding in its findings), which holds
    however often a document is loaded."""
    wanted = [(sev, k, n, pages) for n, s in enumerate(summaries) for k, (sev, pages) in enumerate(s.pictured)]
    wanted.sort(key=lambda t: t[:3])
    budget, per_doc, plan = MAX_IMAGES, Counter(), {}
    for _sev, k, n, pages in wanted:
        if pages > budget or per_doc[n] + pages > MAX_IMAGES_PER_DOC:
            continue
        budget -= pages
        per_doc[n] += pages
        plan.setdefault(n, []).append(k)
    rendered: dict[tuple[int, int], tuple[tuple[str, int], list[Crop]]] = {}  # (doc, k) → (image key, crops)
    for n, chosen in sorted(plan.items()):
        try:
            doc = load(n)
            findings = _picturable(doc)
            crops = _render_doc(doc, [findings[k] for k in chosen])
        except Exception:  # an image is a courtesy: a document that cannot be drawn keeps its findings
            continue
        for k in chosen:
            f = findings[k]
            if id(f) in crops:
                rendered[n, k] = ((summaries[n].short, _index(doc, f)), crops[id(f)])
    out: dict[tuple[str, int], list[Crop]] = {}
    spent = 0
    for _sev, k, n, _pages in wanted:  # the byte budget, spent in the same order
        key, crops = rendered.get((n, k), (None, []))
        if crops and spent + sum(c.nbytes for c in crops) <= MAX_IMAGE_BYTES:
            out[key] = crops
            spent += sum(c.nbytes for c in crops)
    return out


def _index(doc: Document, finding: Finding) -> int:
    return next(i for i, f in enumerate(doc.findings) if f is finding)


def _render_doc(doc: Document, findings: list[Finding]) -> dict[int, list[Crop]]:
    import pypdfium2 as pdfium

    out: dict[int, list[Crop]] = {}
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(doc.source_path)
        except Exception:  # the source moved or cannot be opened: the report still lists the findings
            return {}
        try:
            pages = PageRenderer(pdf)
            for f in findings:
                try:
                    crops = finding_crops(doc, f, pages)
                except Exception:  # an image is a courtesy: a page PDFium cannot draw leaves the finding without one
                    crops = []
                if crops:
                    out[id(f)] = crops
        finally:
            pdf.close()
    return out


def _locations_text(locations: list[dict]) -> str:
    """Where a finding points, briefly: each figure quoted, table cells counted per page (the rows
    named when they are few), a column named."""
    parts: list[str] = []
    pages: dict = {}  # page → row labels of its cells, in order
    for loc in locations:
        if "figure_id" in loc:
            parts.append(_figure_text(loc))
        elif "row" in loc:
            pages.setdefault(loc.get("page"), []).append(loc.get("row_label") or "")
        elif loc.get("header"):
            parts.append(f"「{loc['header']}」列")
        elif loc.get("text"):
            parts.append(_figure_text(loc))
    for page, labels in pages.items():
        rows = list(dict.fromkeys(labels))
        where = f" 第{page}页" if page else ""
        if len(rows) <= 3:
            parts.append("；".join(f"「{r}」{labels.count(r)} 格" for r in rows) + where)
        else:
            parts.append(f"「{rows[0]}」至「{rows[-1]}」{len(rows)} 行 {len(labels)} 格" + where)
    return "；".join(parts[:8]) + ("…" if len(parts) > 8 else "")


def _figure_text(loc: dict) -> str:
    return f"正文“{loc.get('text', '')}”" + (f" 第{loc['page']}页" if loc.get("page") else "")


def _num(x) -> str:
    if x is None:
        return ""
    return f"{x:.6f}".rstrip("0").rstrip(".")


def write_report(docs: list[Document], path: Path) -> Path:
    return write_text_atomic(Path(path), render_report(docs))
