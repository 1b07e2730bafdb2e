"""OCR speed and accuracy on the example bulletins, scanned.

Each example is rendered with an embedded CJK font, rasterised to an image-only PDF at SCAN_DPI
(tongbao.render.hostile.image_only_pdf) and read by tongbao.extract.ocr. Speed is pages per second
of the whole OCR reading (rasterise, find lines, Tesseract, assemble). Accuracy is the share of
body cells whose text equals the text-layer reading of the same PDF (pdfplumber), cell by cell,
and whether the OCR reading finds the same doc number, issue date and table header paths.

Writes the "## OCR" section of benchmarks/RESULTS.md (other sections are kept).
Run: .venv/bin/python benchmarks/bench_ocr.py  (needs `make ocr` and a CJK font)
"""
from __future__ import annotations

import results  # benchmarks/results.py: one writer of RESULTS.md sections
import datetime
import hashlib
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tongbao.check import run_checks
from tongbao.extract import ocr
from tongbao.extract.pdf import read_pdf
from tongbao.model import Document
from tongbao.render.examples import examples
from tongbao.render.hostile import image_only_pdf
from tongbao.render.pdf import render_pdf

RESULTS = HERE / "RESULTS.md"
SECTION = "## OCR"
WORK = HERE / "_work" / "ocr"
SCAN_DPI = 300
FONTS = ["/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"]


def new_doc(data: bytes, name: str) -> Document:
    return Document(doc_id=hashlib.sha256(data).hexdigest(), source_path=name, format="pdf")


def compare(truth: Document, got: Document) -> dict:
    right = total = 0
    headers_same = len(truth.tables) == len(got.tables)
    for t, g in zip(truth.tables, got.tables):
        headers_same &= [c.header_path for c in t.columns] == [c.header_path for c in g.columns]
        for r, row in enumerate(t.rows):
            grow = g.rows[r] if r < len(g.rows) else []
            by_col = {c.col: c.text for c in grow}
            for cell in row:
                total += 1
                right += by_col.get(cell.col) == cell.text
    for t in truth.tables[len(got.tables):]:
        total += sum(len(r) for r in t.rows)
    return {"right": right, "total": total, "headers": headers_same,
            "doc_number": truth.doc_number == got.doc_number, "issue_date": truth.issue_date == got.issue_date}


def main() -> None:
    if not ocr.ocr_available():
        sys.exit("OCR engine missing: run `make ocr`")
    font = next((f for f in FONTS if Path(f).exists()), None)
    if font is None:
        sys.exit("no CJK font: apt-get install fonts-wqy-microhei")
    WORK.mkdir(parents=True, exist_ok=True)
    rows, pages_all, secs_all, right_all, total_all = [], 0, 0.0, 0, 0
    for name, spec in examples().items():
        good = render_pdf(spec, WORK / f"{name}.pdf", font=font)
        scan = image_only_pdf(good, WORK / f"{name}_scan.pdf", dpi=SCAN_DPI).read_bytes()
        truth = read_pdf(good.read_bytes(), new_doc(good.read_bytes(), name))
        t0 = time.perf_counter()
        got = ocr.read_scanned_pdf(scan, new_doc(scan, name))
        secs = time.perf_counter() - t0
        run_checks(got)
        errors = sum(f.severity == "error" for f in got.findings)
        m = compare(truth, got)
        pages_all += got.n_pages
        secs_all += secs
        right_all += m["right"]
        total_all += m["total"]
        rows.append(f"| {name} | {got.n_pages} | {secs:.1f} | {got.n_pages / secs:.2f} | "
                    f"{m['right']}/{m['total']} ({100 * m['right'] / m['total']:.1f} %) | "
                    f"{'yes' if m['headers'] else 'no'} | {'yes' if m['doc_number'] else 'no'} | "
                    f"{'yes' if m['issue_date'] else 'no'} | {errors} |")
        print(rows[-1], flush=True)
    lines = [
        f"Date: {datetime.date.today().isoformat()}; machine: {os.cpu_count()} CPUs; engine: {ocr.engine_version()} "
        f"(Debian tesseract-ocr, tessdata chi_sim/eng); scans rasterised at {SCAN_DPI} dpi from PDFs rendered with "
        f"an embedded CJK font ({Path(font).name}); read at {ocr.DPI} dpi, pages OCR'd in parallel.",
        "Cells: body cells whose text equals the text-layer reading of the same PDF. Headers: every table's "
        "header paths equal. Errors: check findings of severity error on these consistent examples (all false).",
        "",
        "| example | pages | seconds | pages/s | cells right | headers | doc number | issue date | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *rows,
        f"| all | {pages_all} | {secs_all:.1f} | {pages_all / secs_all:.2f} | "
        f"{right_all}/{total_all} ({100 * right_all / total_all:.1f} %) | | | | |",
    ]
    write_section(lines)


def write_section(lines: list[str]) -> None:
    """This script's section of RESULTS.md."""
    results.write_section(SECTION, "\n".join(lines))


if __name__ == "__main__":
    main()
