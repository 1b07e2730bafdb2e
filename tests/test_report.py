"""The audit report for a batch an auditor gets: ~150 documents in every format, some with errors,
some unreadable. Its HTML is checked as text (no browser; tests/test_report_browser.py opens it in
Chromium): the summaries' counts, failed files shown as failed, the filters, the file's size and its
capped page images, and what a page image shows.

`python tests/test_report.py OUTDIR` writes the batch (the README's report figures are measured on it).
"""
from __future__ import annotations

import base64
import io
import random
import re
import shutil
import sys
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tongbao.export import page_images, report
from tongbao.export.page_images import COMPARED, FOCUS, PageRenderer, finding_crops, focus_index
from tongbao.export.report import render_report
from tongbao.model import Finding
from tongbao.pipeline import process_file
from tongbao.render.elsewhere import (record_pairs_bulletin, three_line_bulletin, totals_first_bulletin,
                                      wrapped_names_bulletin)
from tongbao.render.examples import satisfaction_bulletin, score_bulletin, volume_bulletin
from tongbao.render.pdf import render_pdf
from tongbao.render.spec import spec_to_text

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "data" / "devset"
CORPUS = ROOT / "corpus"
BUILDERS = [score_bulletin, satisfaction_bulletin, volume_bulletin, totals_first_bulletin, record_pairs_bulletin,
            wrapped_names_bulletin, three_line_bulletin]
FAILED = {"empty.txt": "empty file", "random.txt": "binary content", "truncated.pdf": "corrupt PDF"}
SIZE_BOUND = 1_000_000  # bytes: the report of the 151-file batch below stays under this


def _spoil(spec) -> None:
    """A number of the first table's last row printed wrong: its last plain number gets a 9 appended."""
    row = spec.tables[0].rows[-1]
    for i in range(len(row) - 1, 0, -1):
        if re.fullmatch(r"\d+(\.\d+)?", row[i]):
            row[i] += "9"
            return


def write_batch(folder: Path, seeds: int = 7, devset: bool = True) -> list[Path]:
    """The example bulletins and the layouts from elsewhere with `seeds` seeds each, as text and as PDF
    (every other seed with a number spoiled), the development set's numbered files and the corpus,
    and three files that cannot be read: 151 files by default."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    sources = (sorted(p for p in DEVSET.iterdir() if p.suffix in (".txt", ".html", ".docx", ".pdf")) if devset else [])
    for p in sources + (sorted(CORPUS.glob("*.txt")) + sorted(CORPUS.glob("*.pdf")) if devset else []):
        files.append(Path(shutil.copy(p, folder / f"{p.parent.name}_{p.name}")))
    for k in range(seeds):
        for build in BUILDERS:
            spec = build(seed=100 + k)
            if k % 2:
                _spoil(spec)
            name = f"{build.__name__}_{k}"
            (folder / f"{name}.txt").write_text(spec_to_text(spec), encoding="utf-8")
            files += [folder / f"{name}.txt", render_pdf(spec, folder / f"{name}.pdf")]
    (folder / "empty.txt").write_bytes(b"")
    (folder / "random.txt").write_bytes(random.Random(0).randbytes(4000))
    (folder / "truncated.pdf").write_bytes(files[-1].read_bytes()[:3000])
    return files + [folder / name for name in FAILED]


class _Tree(HTMLParser):
    """Just enough of the DOM: every element with its attributes, parent and text."""

    def __init__(self):
        super().__init__()
        self.root = {"tag": "#root", "attrs": {}, "children": [], "content": [], "parent": None}
        self.node = self.root

    def handle_starttag(self, tag, attrs):
        node = {"tag": tag, "attrs": dict(attrs), "children": [], "content": [], "parent": self.node}
        self.node["children"].append(node)
        self.node["content"].append(node)
        if tag not in ("meta", "input", "img", "br", "link"):
            self.node = node

    def handle_endtag(self, tag):
        n = self.node
        while n is not None and n["tag"] != tag:
            n = n["parent"]
        if n is not None and n["parent"] is not None:
            self.node = n["parent"]

    def handle_data(self, data):
        self.node["content"].append(data)


def parse(html: str) -> dict:
    tree = _Tree()
    tree.feed(html)
    return tree.root


def find(node, tag=None, **attrs) -> list[dict]:
    """Descendants with this tag whose attributes hold these values (class: one of its classes)."""
    out = []
    for child in node["children"]:
        ok = tag is None or child["tag"] == tag
        for k, v in attrs.items():
            k = k.rstrip("_").replace("_", "-")
            have = child["attrs"].get(k)
            ok = ok and have is not None and (v in have.split() if k == "class" else have == v)
        if ok:
            out.append(child)
        out += find(child, tag, **attrs)
    return out


def text(node) -> str:
    return "".join(c if isinstance(c, str) else text(c) for c in node["content"])


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    docs = [process_file(p) for p in write_batch(folder)]
    html = render_report(docs)
    return docs, html, parse(html)


def test_batch_is_what_an_auditor_gets(batch):
    docs, _, _ = batch
    assert len(docs) == 151
    assert {d.format for d in docs} >= {"txt", "pdf", "html", "docx"}
    assert sum(d.status == "failed" for d in docs) == 3
    assert sum(f.severity == "error" for d in docs for f in d.findings) >= 40


def test_summary_by_check_counts(batch):
    docs, _, root = batch
    (table,) = find(root, "table", id="by-check")
    rows = {}
    for tr in find(table, "tr")[1:]:
        cells = [text(td).strip() for td in find(tr, "td")]
        rows[cells[0].split()[-1]] = cells[1:]
    expected = Counter((f.check, f.severity) for d in docs for f in d.findings)
    for check in {c for c, _ in expected}:
        errors, warnings, infos = (str(expected[(check, s)]) for s in ("error", "warning", "info"))
        assert rows[check][:3] == [errors, warnings, infos], check
        assert rows[check][4] == str(sum(any(f.check == check for f in d.findings) for d in docs))
    assert rows["read"][0] == "3"  # the files that could not be read
    verified = Counter(f.check for d in docs for f in d.checks if f.severity == "pass")
    assert rows["row_sum"][3] == str(verified["row_sum"]) and verified["row_sum"] > 100


def test_summary_by_document_counts_and_file_names(batch):
    docs, _, root = batch
    (table,) = find(root, "table", id="by-doc")
    trs = [tr for tr in find(table, "tr") if "data-doc" in tr["attrs"]]
    assert len(trs) == len(docs)
    for doc, tr in zip(docs, trs):
        cells = [text(td).strip() for td in find(tr, "td")]
        assert cells[0] == Path(doc.source_path).name
        if doc.status == "failed":
            continue
        c = Counter(f.severity for f in doc.findings)
        assert cells[4:8] == [str(c["error"]), str(c["warning"]), str(c["info"]),
                              str(sum(f.severity == "pass" for f in doc.checks))], cells[0]
    lead = text(find(root, "p", id="lead")[0])
    total = Counter(f.severity for d in docs for f in d.findings)
    assert f"共 {len(docs)} 份文件" in lead and f"{total['error']} 个错误" in lead and "3 份读取失败" in lead


def test_file_name_beside_each_title(batch):
    docs, _, root = batch
    sections = find(root, "details", class_="doc")
    assert len(sections) == len(docs)
    for doc, section in zip(docs, sections):
        summary = find(section, "summary")[0]
        assert Path(doc.source_path).name in [text(s) for s in find(summary, "span", class_="file")]
        if doc.title:
            assert doc.title in text(summary)


def test_failed_files_are_shown_as_failed(batch):
    docs, _, root = batch
    failed = [d for d in docs if d.status == "failed"]
    assert {Path(d.source_path).name for d in failed} == set(FAILED)
    for doc in failed:
        assert FAILED[Path(doc.source_path).name] in doc.error
        (section,) = [s for s in find(root, "details", class_="doc") if s["attrs"]["data-doc"] == doc.doc_id[:12]]
        body = text(section)
        assert "读取失败" in body and doc.error in body and "没有发现问题" not in body
        (item,) = find(section, None, class_="finding")
        assert item["attrs"]["data-sev"] == "failed"  # so the severity filter finds it
        (tr,) = [tr for tr in find(find(root, "table", id="by-doc")[0], "tr") if tr["attrs"].get("data-doc") == doc.doc_id[:12]]
        assert "failed" in tr["attrs"]["class"].split()
        cells = [text(td).strip() for td in find(tr, "td")]
        assert cells[3] == "读取失败" and cells[-1] == doc.error and "0" not in cells[4:8]


def test_zero_counts_are_not_red(batch):
    _, _, root = batch
    summaries = find(root, "table", id="by-check") + find(root, "table", id="by-doc")
    cells = [td for t in summaries for td in find(t, "td", class_="n")] + find(root, "span", class_="badge")
    zeros = [c for c in cells if re.fullmatch(r"0( \S+)?", text(c).strip())]
    assert len(zeros) > 100
    for c in zeros:
        assert set(c["attrs"]["class"].split()) & {"error", "warning", "failed"} == set(), c["attrs"]
        assert "zero" in c["attrs"]["class"].split()
    red = [c for t in summaries for c in find(t, "td", class_="error")]
    assert red and all(text(c).strip() not in ("0", "") for c in red)


def test_filters_and_search_are_present(batch):
    docs, html, root = batch
    boxes = find(root, "input", name="sev")
    assert sorted(b["attrs"]["value"] for b in boxes) == ["error", "failed", "info", "warning"]
    checks = [o["attrs"]["value"] for o in find(find(root, "select", id="f-check")[0], "option")]
    assert set(checks) == {""} | {f.check for d in docs for f in d.findings} | {"read"}
    options = [o["attrs"]["value"] for o in find(find(root, "select", id="f-doc")[0], "option")]
    assert options == [""] + [d.doc_id[:12] for d in docs]
    assert find(root, "input", id="f-q") and find(root, "button", id="f-clear")
    items = find(root, None, class_="finding")
    assert len(items) == sum(len(d.findings) for d in docs) + 3
    assert all(i["attrs"]["data-sev"] in ("error", "warning", "info", "failed") and i["attrs"]["data-check"] for i in items)
    assert "location.hash" in html and "hashchange" in html


def test_one_self_contained_file(batch):
    _, html, root = batch
    assert not re.search(r"""(src|href)\s*=\s*['"]?(https?:|//)""", html)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    assert all(i["attrs"]["src"].startswith("data:image/png;base64,") for i in find(root, "img"))
    assert len(find(root, "script")) == 1 and "src" not in find(root, "script")[0]["attrs"]


def test_sections_collapsed_beyond_the_first_few(batch):
    docs, _, root = batch
    sections = find(root, "details", class_="doc")
    opened = [s for s in sections if "open" in s["attrs"]]
    assert len(opened) == report.OPEN_SECTIONS
    for s in opened:
        assert find(s, "td", class_="error") or find(s, "td", class_="failed")


def test_size_of_a_150_document_report_and_images_capped(batch):
    docs, html, root = batch
    assert len(html.encode("utf-8")) < SIZE_BOUND
    images = find(root, "img")
    assert 20 <= len(images) <= report.MAX_IMAGES
    assert sum(len(i["attrs"]["src"]) for i in images) <= report.MAX_IMAGE_BYTES
    for section in find(root, "details", class_="doc"):
        assert len(find(section, "img")) <= report.MAX_IMAGES_PER_DOC
    for i in images:
        assert int(i["attrs"]["width"]) <= page_images.MAX_WIDTH and int(i["attrs"]["height"]) <= page_images.MAX_HEIGHT
        assert i["attrs"]["loading"] == "lazy"
    # every PDF with an error got an image for its first error before any got a second
    pdfs = [s for s, d in zip(find(root, "details", class_="doc"), docs)
            if d.format == "pdf" and any(f.severity == "error" and f.locations for f in d.findings)]
    if len(images) < report.MAX_IMAGES:
        assert all(find(s, "img") for s in pdfs)


def test_images_capped_in_a_batch_of_many_errors(batch, monkeypatch):
    docs, _, _ = batch
    many = [d for d in docs if d.format == "pdf" and any(f.severity == "error" for f in d.findings)]
    monkeypatch.setattr(report, "MAX_IMAGES", 5)
    root = parse(render_report(many))
    assert len(find(root, "img")) == 5
    assert "全报告至多 5 幅" in text(root)


# what a page image shows


def _score_with_wrong_total(folder: Path):
    spec = score_bulletin()
    spec.tables[0].rows[3][-1] = "99.9"  # the 4th row's 合计 cannot be right
    return process_file(render_pdf(spec, folder / "score.pdf"))


def _crops(doc, finding):
    import pypdfium2 as pdfium

    from tongbao.pdfium_lock import PDFIUM_LOCK

    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(doc.source_path)
        try:
            return finding_crops(doc, finding, PageRenderer(pdf))
        finally:
            pdf.close()


def _image(crop):
    from PIL import Image

    return Image.open(io.BytesIO(base64.b64decode(crop.uri.split(",", 1)[1]))).convert("RGB")


def _inside(box, strips) -> bool:
    return any(a - 0.01 <= box[0] and box[1] <= b + 0.01 for a, b in strips)


def test_row_sum_image_shows_the_label_the_header_and_marks_the_total(tmp_path):
    doc = _score_with_wrong_total(tmp_path)
    (f,) = [f for f in doc.findings if f.check == "row_sum" and f.severity == "error"]
    total = f.locations[focus_index(f)]
    assert total["header"] == "合计" and total["text"] == "99.9"
    (crop,) = _crops(doc, f)
    table = next(t for t in doc.tables if t.table_id == total["table_id"])
    label = next(c for c in table.rows[total["row"]] if c.col == 1)  # 部门
    assert label.text == total["row_label"]
    assert _inside((label.x0, label.x1), crop.columns) and _inside((label.top, label.bottom), crop.rows)
    assert _inside((total["x0"], total["x1"]), crop.columns)
    assert min(top for top, _ in crop.rows) < min(c.top for c in table.rows[0]) - 10  # the header above the rows
    image = _image(crop)
    colours = {c for _, c in image.getcolors(1 << 16)}
    assert FOCUS in colours and COMPARED in colours
    assert image.width <= page_images.MAX_WIDTH and crop.nbytes < 40_000
    # the red box is at the total: right of every blue box
    reds = [x for x in range(image.width) if any(image.getpixel((x, y)) == FOCUS for y in range(0, image.height, 2))]
    blues = [x for x in range(image.width) if any(image.getpixel((x, y)) == COMPARED for y in range(0, image.height, 2))]
    assert min(reds) > max(blues) - 4


def test_column_sum_over_a_long_table_leaves_rows_out(tmp_path):
    spec = volume_bulletin()
    spec.tables[0].rows[-1][1] += "9"  # the 合计 row's 行政审批
    doc = process_file(render_pdf(spec, tmp_path / "volume.pdf"))
    (f,) = [f for f in doc.findings if f.check == "column_sum" and f.severity == "error"]
    assert len({loc["page"] for loc in f.locations}) >= 2
    crops = _crops(doc, f)
    assert 1 <= len(crops) <= page_images.MAX_PAGES
    last = crops[-1]
    assert last.page == f.locations[-1]["page"]  # the page of the total
    assert any(c.rows_left_out for c in crops) and all(c.height <= page_images.MAX_HEIGHT for c in crops)
    assert FOCUS in {c for _, c in _image(last).getcolors(1 << 16)}


def test_focus_is_the_cell_the_finding_is_about():
    cell = lambda text, row=0, col=0: {"table_id": "t", "row": row, "col": col, "text": text}
    row_sum = Finding("d", "row_sum", "error", "", expected=10, reported=12, locations=[cell("4"), cell("6"), cell("12")])
    assert focus_index(row_sum) == 2
    rate = Finding("d", "percentage", "error", "", expected=50.0, reported=51.0,
                   locations=[cell("5"), cell("10"), cell("51.0%")])
    assert focus_index(rate) == 2
    part = Finding("d", "part_of_total", "error", "", expected=5, reported=7, locations=[cell("7"), cell("5")])
    assert focus_index(part) == 0
    narrative = Finding("d", "narrative_total", "warning", "", reported=3, locations=[{"figure_id": "f", "text": "3"}])
    assert focus_index(narrative) is None


if __name__ == "__main__":
    print(len(write_batch(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 7)), "files")
