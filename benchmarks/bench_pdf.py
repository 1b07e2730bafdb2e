"""Benchmark PDF extraction: pages/second and peak memory of tongbao and of the bare libraries,
measured on the same rendered files in one run, each tool in a fresh subprocess.

Run:  .venv/bin/python benchmarks/bench_pdf.py
Writes the "## PDF extraction" section of benchmarks/RESULTS.md (other sections are kept).
"""
from __future__ import annotations

import results  # benchmarks/results.py: one writer of RESULTS.md sections
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "_work"
RESULTS = HERE / "RESULTS.md"
SECTION = "## PDF extraction"
CAMELOT_PAGE_LIMIT = 20  # camelot lattice is slow; it reads at most this many pages per file
LONG_REPEATS = {"long60": 8, "long300": 43}  # copies of the example tables in the long bulletins
PROCESSES = 3  # fresh processes per tool and file; the medians are reported
RUNS_PER_PROCESS = 3  # the first run, then two runs as a batch's next files

# Each tool: (imports, timed work). Imports are not timed, as the table below says.
SETUP = {
    "tongbao": "from tongbao.pipeline import process_file",
    "tongbao_pdf_reader": "from pathlib import Path; from tongbao.extract.pdf import open_pdf, read_pages",
    "pdfplumber_tables": "import pdfplumber",
    "camelot_lattice": "import camelot, pypdfium2",
    "pypdfium2_text": "import pypdfium2",
}
TOOLS = {
    "tongbao": """
doc = process_file(PATH)
assert doc.status != "failed", doc.error
pages = doc.n_pages
""",
    "tongbao_pdf_reader": """
data = Path(PATH).read_bytes()
pdf = open_pdf(data)
pages = len(read_pages(pdf, data))
pdf.close()
""",
    "pdfplumber_tables": """
with pdfplumber.open(PATH) as pdf:
    pages = 0
    for page in pdf.pages:
        page.extract_tables()
        page.close()
        pages += 1
""",
    "camelot_lattice": f"""
n = len(pypdfium2.PdfDocument(PATH))
pages = min(n, {CAMELOT_PAGE_LIMIT})
camelot.read_pdf(PATH, pages="1-%d" % pages, flavor="lattice")
""",
    "pypdfium2_text": """
pdf = pypdfium2.PdfDocument(PATH)
pages = 0
for page in pdf:
    page.get_textpage().get_text_range()
    pages += 1
""",
}

RUNNER = """
import json, resource, sys, time
PATHS = sys.argv[1:]
{setup}
runs = []
for _ in range({runs}):  # the first run pays each tool's first-use costs; the others are a batch's next files
    t0 = time.perf_counter()
    total = 0
    for PATH in PATHS:
{code}
        total += pages
    runs.append(time.perf_counter() - t0)
pages = total
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")]
peak_kb = int(hwm[0].split()[1]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
nexts = sorted(runs[1:])
print(json.dumps({{"pages": pages, "first": runs[0], "next": nexts[len(nexts) // 2], "maxrss_mb": peak_kb / 1024}}))
"""


DEVSET = ROOT / "tests" / "data" / "devset"  # bulletins made elsewhere: DOCX exported to PDF by LibreOffice
LIBREOFFICE = ROOT / "tests" / "fixtures" / "libreoffice"  # the examples and seeds, DOCX → PDF by LibreOffice


def render_inputs() -> dict[str, list[Path]]:
    """The examples, and long bulletins made by repeating every example table, as PDFs in _work/;
    then the development set's PDFs and the LibreOffice fixtures, each read as one batch."""
    from tongbao.render.examples import examples
    from tongbao.render.pdf import render_pdf
    from tongbao.render.spec import BulletinSpec

    WORK.mkdir(parents=True, exist_ok=True)
    specs = examples()
    files = {name: render_pdf(spec, WORK / f"{name}.pdf") for name, spec in specs.items()}
    base = specs["volume"]
    every = [t for s in specs.values() for t in s.tables]
    for name, repeats in LONG_REPEATS.items():
        tables = []
        for i in range(repeats):
            for j, t in enumerate(every):
                copy = type(t)(**{**vars(t), "annex": f"附件{i * len(every) + j + 1}"})
                tables.append(copy)
        spec = BulletinSpec(**{**vars(base), "tables": tables})
        files[name] = render_pdf(spec, WORK / f"{name}.pdf")
    batches = {name: [path] for name, path in files.items()}
    for name, folder in (("devset", DEVSET), ("libreoffice", LIBREOFFICE)):
        files = sorted(folder.glob("*.pdf"))
        batches[f"{name} ({len(files)} files)"] = files
    return batches


def run_once(tool: str, paths: list[Path]) -> dict:
    """One tool on some files in a fresh interpreter, RUNS_PER_PROCESS times: pages, seconds of the
    first run and the median of the others, peak RSS in MB."""
    code = RUNNER.format(setup=SETUP[tool], code=textwrap.indent(TOOLS[tool].strip(), "        "), runs=RUNS_PER_PROCESS)
    proc = subprocess.run([sys.executable, "-c", code, *map(str, paths)], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1][:120]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_tool(tool: str, paths: list[Path]) -> dict:
    """The median of PROCESSES fresh-process measurements (this machine's speed varies from run to run)."""
    results = [run_once(tool, paths) for _ in range(PROCESSES)]
    if any("error" in r for r in results):
        return next(r for r in results if "error" in r)
    return {"pages": results[0]["pages"],
            **{key: statistics.median(r[key] for r in results) for key in ("first", "next", "maxrss_mb")}}


def page_count(paths: list[Path]) -> int:
    import pypdfium2

    return sum(len(pypdfium2.PdfDocument(str(path))) for path in paths)


MEASURES = {
    "first": "Pages per second, first file in a fresh process (after imports)",
    "next": "Pages per second, the same file again in that process (a batch's next file)",
    "maxrss_mb": "Peak memory (MB, whole process)",
}


def measure(files: dict[str, list[Path]]) -> dict[str, dict[str, dict]]:
    """Every tool on every file: {file: {tool: result}}."""
    out: dict[str, dict[str, dict]] = {}
    for name, path in files.items():
        out[name] = {}
        for tool in TOOLS:
            out[name][tool] = run_tool(tool, path)
            print(name, tool, out[name][tool], flush=True)
    return out


def _cell(result: dict, key: str) -> str:
    if "error" in result:
        return "error: " + result["error"]
    if key == "maxrss_mb":
        return f"{result[key]:.0f}"
    return f"{result['pages'] / result[key]:.1f}"


def tables(files: dict[str, list[Path]], results: dict[str, dict[str, dict]]) -> list[str]:
    """One markdown table per measure: a row per file, a column per tool."""
    lines = []
    for key, title in MEASURES.items():
        lines += [f"### {title}", "", "| file | pages | " + " | ".join(TOOLS) + " |", "|" + " --- |" * (2 + len(TOOLS))]
        for name, path in files.items():
            lines.append(f"| {name} | {page_count(path)} | " + " | ".join(_cell(results[name][t], key) for t in TOOLS) + " |")
        lines.append("")
    return lines


def ratios(results: dict[str, dict[str, dict]]) -> list[str]:
    """tongbao end to end against pdfplumber's extract_tables and camelot lattice, per file and run."""
    lines = ["| file | first file: × pdfplumber_tables | next file: × pdfplumber_tables | next file: × camelot_lattice |",
             "| --- | --- | --- | --- |"]
    for name, by_tool in results.items():
        ours, plumber, camelot = by_tool["tongbao"], by_tool["pdfplumber_tables"], by_tool["camelot_lattice"]
        if any("error" in r for r in (ours, plumber, camelot)):
            continue

        def speed(r: dict, key: str) -> float:
            return r["pages"] / r[key]

        lines.append(f"| {name} | {speed(ours, 'first') / speed(plumber, 'first'):.2f} | "
                     f"{speed(ours, 'next') / speed(plumber, 'next'):.2f} | {speed(ours, 'next') / speed(camelot, 'next'):.1f} |")
    return lines


def write_section(lines: list[str]) -> None:
    """This script's section of RESULTS.md."""
    results.write_section(SECTION, "\n".join(lines))


def main() -> None:
    files = render_inputs()
    t0 = time.time()
    results = measure(files)
    lines = [
        f"Date: {datetime.date.today().isoformat()}; machine: {os.cpu_count()} CPUs (nproc), "
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}.",
        "",
        "Command: `.venv/bin/python benchmarks/bench_pdf.py` (inputs rendered into benchmarks/_work/).",
        "",
        f"Each tool runs on each file in {PROCESSES} fresh subprocesses, {RUNS_PER_PROCESS} times in each; "
        "figures are medians, as this VM's speed varies by about 30 % from run to run. Pages/s is pages "
        "read divided by wall time, imports not counted. The first run pays what a tool does once per "
        "process: for tongbao that is importing spaCy and building the narrative pipeline, about 0.8 s. "
        "The later runs are what every later file of a batch costs (`tongbao extract` reads a batch in "
        "one process per worker). Peak MB is the subprocess's peak resident set size (VmHWM of /proc/self/status; "
        "this includes the interpreter and imports, and unlike ru_maxrss it is not inherited from the "
        "forking parent).",
        "",
        "The tools:",
        "- tongbao: `pipeline.process_file` end to end (extract, narrative figures, checks).",
        "- tongbao_pdf_reader: the PDF stage alone (`extract.pdf.read_pages`, PDFium objects). It reads "
        "ruled, horizontal-rule and lineless tables and narrative lines, without camelot's second opinions.",
        "- pdfplumber_tables: `page.extract_tables()` on every page.",
        f"- camelot_lattice: `camelot.read_pdf(flavor='lattice')` on at most the first {CAMELOT_PAGE_LIMIT} pages.",
        "- pypdfium2_text: plain text of every page.",
        "",
        f"long60/long300 repeat the example tables ({', '.join(f'{k}: {v}x' for k, v in LONG_REPEATS.items())}). "
        "These five are the project's own renderer's PDFs (reportlab, STSong-Light not embedded). "
        "`devset` is the development set's ten PDFs (tests/data/devset: bulletins written elsewhere, "
        "DOCX exported by LibreOffice, fonts embedded) and `libreoffice` the committed LibreOffice "
        "fixtures (tests/fixtures/libreoffice); each is read as one batch of files in one process, "
        "so its first run pays the first-file costs once.",
        "",
        *tables(files, results),
        "### tongbao end to end, as a multiple of the others' speed",
        "",
        *ratios(results),
        "",
        "Reading the tables: tongbao reads each page's characters and ruling lines with PDFium "
        "(extract/pdf_objects.py) in pdfplumber's own dict format, so pdfplumber's table finder runs "
        "without pdfminer's content-stream parse, which was about 80 % of pdfplumber's time. Pages "
        "without lines or rects skip `find_tables`. Characters are assigned to cells in one pass, not "
        "one pass per row as in `Table.extract()`. Narrative lines come from the same objects.",
        "",
        f"Total benchmark time: {time.time() - t0:.0f} s.",
    ]
    write_section(lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
