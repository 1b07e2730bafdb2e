"""OCR speed, memory and accuracy on realistic scans of the example bulletins.

Each example is rendered (bundled CJK font), scanned by tongbao.render.scans.realistic_scan (200 dpi,
turned ±1.5-2°, grey noise, speckles, JPEG quality 60, a red seal over part of a table) and read, on
the same pages in the same run, by:
- tongbao: `extract.ocr.read_scanned_pdf` (rasterise, clean up, RapidOCR, tables, narrative);
- rapidocr_alone: RapidOCR's own pipeline with its default settings (the wheel's models named by
  path) on each page image rasterised at 200 dpi;
- tesseract_alone: `tesseract PAGE stdout -l chi_sim` on each page image, when installed.
Each tool runs in a fresh subprocess (peak memory is its VmHWM, imports and models included);
seconds per page exclude imports and model loading (one warm-up page is read first).
Cell recall and sure-but-wrong cells are tongbao's, against the spec.

Writes the "## OCR" section of benchmarks/RESULTS.md. Run: .venv/bin/python benchmarks/bench_ocr.py
"""
from __future__ import annotations

import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

import results  # noqa: E402  benchmarks/results.py: one writer of RESULTS.md sections

SECTION = "## OCR"
WORK = HERE / "_work" / "ocr"
DPI = 200


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_scans() -> dict[str, Path]:
    from tongbao.render.examples import examples
    from tongbao.render.pdf import render_pdf
    from tongbao.render.scans import ScanStyle, realistic_scan

    WORK.mkdir(parents=True, exist_ok=True)
    out = {}
    for i, (name, spec) in enumerate(examples().items()):
        good = render_pdf(spec, WORK / f"{name}.pdf")
        out[name] = realistic_scan(good, WORK / f"{name}_scan.pdf", ScanStyle(seed=i, angle=2.0 if i % 2 else 1.5))
    return out


def page_images(path: Path):
    from tongbao.extract.ocr import rasterise

    return [img for _n, img, _s in rasterise(path.read_bytes(), DPI, colour=True)]


def run_tool(tool: str, name: str, path: Path) -> dict:
    """In this (fresh) process: one tool on one scan; seconds, pages and peak memory."""
    if tool == "tongbao":
        from test_ocr import compare, new_doc
        from tongbao.check import run_checks
        from tongbao.extract import ocr
        from tongbao.render.examples import examples

        data = path.read_bytes()
        warm = page_images(path)[:1]  # load the models on one page first
        from tongbao.extract.ocr_engine import Reader
        from tongbao.extract.scan_page import read_page
        read_page(warm[0], 1, 72 / DPI, Reader(2))
        t0 = time.perf_counter()
        doc = ocr.read_scanned_pdf(data, new_doc(data, name))
        secs = time.perf_counter() - t0
        run_checks(doc)
        right, total, sure_wrong = compare(examples()[name], doc)
        return {"secs": secs, "pages": doc.n_pages, "mb": peak_mb(), "right": right, "total": total,
                "sure_wrong": len(sure_wrong), "errors": sum(f.severity == "error" for f in doc.findings)}
    images = page_images(path)
    if tool == "rapidocr_alone":
        from rapidocr import RapidOCR
        from tongbao.extract.ocr_engine import model_paths

        p = model_paths()
        engine = RapidOCR(params={"Global.log_level": "error", "Det.model_path": str(p["det"]),
                                  "Rec.model_path": str(p["rec"]), "Cls.model_path": str(p["cls"])})
        engine(images[0])
        t0 = time.perf_counter()
        for img in images:
            engine(img)
        return {"secs": time.perf_counter() - t0, "pages": len(images), "mb": peak_mb()}
    if tool == "tesseract_alone":
        import cv2

        files = []
        for i, img in enumerate(images):
            f = WORK / f"{name}_{i}.png"
            cv2.imwrite(str(f), cv2.cvtColor(img, cv2.COLOR_RGB2GRAY))
            files.append(f)
        t0 = time.perf_counter()
        peak = 0.0
        for f in files:
            subprocess.run(["tesseract", str(f), "stdout", "-l", "chi_sim"], capture_output=True, check=False)
        return {"secs": time.perf_counter() - t0, "pages": len(files), "mb": float("nan")}
    raise SystemExit(f"unknown tool {tool}")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--tool":
        print(json.dumps(run_tool(sys.argv[2], sys.argv[3], WORK / f"{sys.argv[3]}_scan.pdf")))
        return
    started = time.perf_counter()
    scans = make_scans()
    tools = ["tongbao", "rapidocr_alone"] + (["tesseract_alone"] if shutil.which("tesseract") else [])
    rows, totals = [], {t: [0.0, 0] for t in tools}
    acc = [0, 0, 0, 0]
    for name in scans:
        got = {}
        for tool in tools:
            out = subprocess.run([sys.executable, __file__, "--tool", tool, name], capture_output=True, text=True,
                                 env=dict(os.environ, PYTHONPATH=str(HERE.parent)), check=True)
            got[tool] = json.loads(out.stdout.strip().splitlines()[-1])
            totals[tool][0] += got[tool]["secs"]
            totals[tool][1] += got[tool]["pages"]
        t = got["tongbao"]
        acc = [acc[0] + t["right"], acc[1] + t["total"], acc[2] + t["sure_wrong"], acc[3] + t["errors"]]
        cells = " | ".join(f"{got[x]['secs'] / got[x]['pages']:.1f} | {got[x]['mb']:.0f}" for x in tools)
        rows.append(f"| {name} | {t['pages']} | {cells} | {t['right']}/{t['total']} | {t['sure_wrong']} | {t['errors']} |")
        print(rows[-1], flush=True)
    head = " | ".join(f"{x} s/page | {x} peak MB" for x in tools)
    lines = [
        f"Date: {datetime.date.today().isoformat()}; machine: {os.cpu_count()} CPUs (shared with other jobs while "
        f"measured), Python {platform.python_version()} on {platform.system()} {platform.machine()}; "
        f"{__import__('tongbao.extract.ocr_engine', fromlist=['version']).version()}.",
        "Inputs: the example bulletins rendered, then scanned by `tongbao.render.scans.realistic_scan` (200 dpi, "
        "turned ±1.5-2°, noise, speckles, JPEG quality 60, a red seal over part of a table). Seconds per page exclude "
        "imports and model loading; peak MB is each tool's subprocess VmHWM. Cells: body cells equal to the spec; "
        "sure-but-wrong: cells not equal to the spec and not marked unsure; errors: check errors on these "
        "consistent bulletins (all would be false).",
        f"Command: `.venv/bin/python benchmarks/bench_ocr.py` ({time.perf_counter() - started:.0f} s).",
        "",
        f"| example | pages | {head} | cells right | sure but wrong | errors |",
        "| --- | --- | " + " | ".join("---" for _ in range(2 * len(tools))) + " | --- | --- | --- |",
        *rows,
        f"| all | {totals['tongbao'][1]} | " + "".join(f"{totals[x][0] / totals[x][1]:.1f} |  | " for x in tools)
        + f"{acc[0]}/{acc[1]} ({100 * acc[0] / acc[1]:.1f} %) | {acc[2]} | {acc[3]} |",
    ]
    if "tesseract_alone" not in tools:
        lines.append("")
        lines.append("Tesseract is not installed on this machine, so it was not measured.")
    results.write_section(SECTION, "\n".join(lines))


if __name__ == "__main__":
    main()
