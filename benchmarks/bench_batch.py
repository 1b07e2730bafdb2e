"""Benchmark batches (issue 15): `pipeline.convert_batch` end to end on the development set's PDFs
against pdfplumber's `extract_tables` alone, scaling from one worker to two, peak memory from 100 to
2,000 files, and a rerun with nothing changed. Every measurement runs in a fresh subprocess.

Run:  .venv/bin/python benchmarks/bench_batch.py      (about 10 minutes on 2 cores)
Writes the "## Batches" section of benchmarks/RESULTS.md (other sections are kept); inputs and
output folders go to benchmarks/_work/batch/.

Keep this module's top level to the standard library: the forkserver that starts tongbao's workers
imports the main module (as __mp_main__) in every worker.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "_work" / "batch"
SECTION = "## Batches"
DEVSET = ROOT / "tests" / "data" / "devset"
CORPUS = ROOT / "corpus"
LIBREOFFICE = ROOT / "tests" / "fixtures" / "libreoffice"
SMALL = WORK / "small"  # generated text bulletins for the memory runs

DEVSET_PROCESSES = 3  # fresh processes per workers setting on the development set's PDFs (medians)
SCALING_FILES = 60
SCALING_REPEATS = 2  # runs per workers setting on the 60 files, alternating (medians)
MEMORY_SIZES = (100, 2000)
POLL_SECONDS = 0.2  # how often the process tree's memory is looked at
RESULT = "RESULT "  # the prefix of a child's answer on its stdout

GOAL_SCALING = 1.7
GOAL_MEMORY = 0.20
GOAL_RERUN = 0.05


# ---------------------------------------------------------------- inputs

def scaling_files() -> list[Path]:
    """60 files with distinct bytes: the development set in every format and encoding, the seeds as
    text and PDF, the LibreOffice fixtures; topped up with rendered variants if any are duplicates."""
    files = sorted(p for p in DEVSET.iterdir() if p.suffix in (".txt", ".html", ".docx", ".pdf"))
    files += sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".pdf"))
    files += sorted(LIBREOFFICE.glob("*.pdf"))
    seen, out = set(), []
    for p in files:
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            out.append(p)
    if len(out) < SCALING_FILES:  # pragma: no cover - the committed files are 60 distinct ones today
        out += _child_json(["generate-pdf", str(SCALING_FILES - len(out))])["paths"]
    return [Path(p) for p in out[:SCALING_FILES]]


def generate_small(n: int) -> dict:
    """n distinct small text bulletins (the three example layouts in turn, each with its own seed, so
    every number differs), written to SMALL; the paths in order."""
    from tongbao.render.examples import satisfaction_bulletin, score_bulletin, volume_bulletin
    from tongbao.render.spec import spec_to_text

    builders = (lambda s: score_bulletin(s, n=8), satisfaction_bulletin, lambda s: volume_bulletin(s, n=12))
    SMALL.mkdir(parents=True, exist_ok=True)
    seen, paths, seed = set(), [], 1000
    while len(paths) < n:
        i = len(paths)
        text = spec_to_text(builders[i % len(builders)](seed))
        seed += 1
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if digest in seen:  # the same numbers twice would be one document
            continue
        seen.add(digest)
        path = SMALL / f"{i:05d}.txt"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    for stale in SMALL.glob("*.txt"):
        if int(stale.stem) >= n:
            stale.unlink()
    return {"paths": paths, "bytes": sum(Path(p).stat().st_size for p in paths)}


def generate_pdf(n: int) -> dict:  # pragma: no cover - only if the committed files stop being distinct
    from tongbao.render.examples import score_bulletin
    from tongbao.render.pdf import render_pdf

    folder = WORK / "variants"
    folder.mkdir(parents=True, exist_ok=True)
    return {"paths": [str(render_pdf(score_bulletin(5000 + i), folder / f"score-{i}.pdf")) for i in range(n)]}


# ---------------------------------------------------------------- one measurement, in a child process

def _children() -> dict[int, list[int]]:
    """ppid → pids, from /proc."""
    out: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        out.setdefault(ppid, []).append(int(entry.name))
    return out


def _status_kb(pid: int | str, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _ticks(pid: int) -> dict[str, float]:
    """CPU seconds of a process and of its children it has waited for (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat", "rb") as fh:
        stat = fh.read()
    fields = stat[stat.rindex(b")") + 2:].split()
    hz = os.sysconf("SC_CLK_TCK")
    return {"self": (int(fields[11]) + int(fields[12])) / hz, "children": (int(fields[13]) + int(fields[14])) / hz}


class TreeMonitor(threading.Thread):
    """Polls this process's descendants: the forkserver, the workers it forks (their VmHWM, which
    keeps each one's peak between polls), and the sum of every process's RSS."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.worker_hwm: dict[int, int] = {}
        self.forkserver: int | None = None
        self.forkserver_hwm = 0
        self.tree_peak = 0

    def poll(self) -> None:
        me = os.getpid()
        kids = _children()
        total = _status_kb(me, "VmRSS:") or 0
        for pid in kids.get(me, []):
            if self.forkserver is None and "forkserver" in _cmdline(pid):
                self.forkserver = pid
        if self.forkserver is not None:
            self.forkserver_hwm = max(self.forkserver_hwm, _status_kb(self.forkserver, "VmHWM:") or 0)
            total += _status_kb(self.forkserver, "VmRSS:") or 0
            for pid in kids.get(self.forkserver, []):
                hwm = _status_kb(pid, "VmHWM:")
                if hwm:
                    self.worker_hwm[pid] = max(self.worker_hwm.get(pid, 0), hwm)
                total += _status_kb(pid, "VmRSS:") or 0
        self.tree_peak = max(self.tree_peak, total)

    def run(self) -> None:
        while not self.stop.wait(POLL_SECONDS):
            self.poll()


def child_convert(spec: dict) -> dict:
    """convert_batch once, timed, with the memory of the parent and of the workers."""
    import resource

    t0 = time.perf_counter()
    from tongbao.pipeline import convert_batch
    imports = time.perf_counter() - t0

    paths = [Path(p) for p in spec["paths"]]
    out = Path(spec["out"])
    if spec.get("fresh"):
        shutil.rmtree(out, ignore_errors=True)
    monitor = TreeMonitor()
    monitor.start()
    times: list[float] = []
    converting_hwm = [0]

    def progress(_p) -> None:
        times.append(time.perf_counter())
        converting_hwm[0] = _status_kb("self", "VmHWM:") or 0  # the parent's peak before the merge

    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    result = convert_batch(paths, out, workers=spec["workers"], on_progress=progress)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    monitor.poll()
    monitor.stop.set()
    monitor.join()
    workers_cpu = forkserver_cpu = None
    if monitor.forkserver is not None:
        try:
            ticks = _ticks(monitor.forkserver)  # the workers are forked by it and reaped by it
            workers_cpu, forkserver_cpu = ticks["children"], ticks["self"]
        except OSError:
            pass
    fresh = [t - t0 for t in times[result.cached:]]  # progress of the documents read in this run
    return {
        "wall": wall, "imports": imports,
        "first_done": fresh[0] if fresh else None,
        "last_done": fresh[-1] if fresh else None,
        "converted": result.converted, "cached": result.cached, "unchanged": result.unchanged,
        "failed": len(result.failed), "documents": result.counts().get("documents"),
        "parent_cpu": (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime),
        "workers_cpu": workers_cpu, "forkserver_cpu": forkserver_cpu,
        "parent_hwm_mb": (_status_kb("self", "VmHWM:") or 0) / 1024,
        "parent_converting_mb": converting_hwm[0] / 1024,
        "parent_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_mb": max(monitor.worker_hwm.values(), default=0) / 1024,
        "workers_seen": len(monitor.worker_hwm),
        "forkserver_mb": monitor.forkserver_hwm / 1024,
        "tree_peak_mb": monitor.tree_peak / 1024,
        "row_groups": _row_groups(out / "cells.parquet"),
    }


def _row_groups(path: Path) -> int | None:
    try:
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_row_groups
    except Exception:  # noqa: BLE001 - a detail of the report only
        return None


def _child_json(args: list[str], stdin: str | None = None) -> dict:
    """Run this script as a child (`--child ...`) and return its answer."""
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", *args], input=stdin,
                          capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT):])
    raise RuntimeError(f"child {args[0]} failed ({proc.returncode}): " + "\n".join(proc.stderr.strip().splitlines()[-15:]))


def convert(paths: list[Path], out: Path, workers: int, fresh: bool) -> dict:
    load = os.getloadavg()[0]
    spec = {"paths": [str(p) for p in paths], "out": str(out), "workers": workers, "fresh": fresh}
    r = _child_json(["convert"], json.dumps(spec))
    r["load"] = load
    print(f"  {len(paths)} files, workers={workers}, {'fresh' if fresh else 'same OUT'}: {r['wall']:.2f} s "
          f"(converted {r['converted']}, cached {r['cached']}, unchanged {r['unchanged']}, failed {r['failed']}; "
          f"parent {r['parent_hwm_mb']:.0f} MB, worker {r['worker_peak_mb']:.0f} MB; load {load:.2f})", flush=True)
    return r


# ---------------------------------------------------------------- the four measurements

def child_tool(tool: str, paths: list[str], runs: int) -> dict:
    """One of bench_pdf.py's tools (the same code as the PDF benchmark) on every file: the seconds
    of its imports, of the first pass over the files and of the next ones."""
    import bench_pdf  # benchmarks/bench_pdf.py

    namespace: dict = {}
    t0 = time.perf_counter()
    exec(bench_pdf.SETUP[tool], namespace)
    imports = time.perf_counter() - t0
    passes = []
    for _ in range(runs):
        t0, total = time.perf_counter(), 0
        for path in paths:
            namespace["PATH"] = path
            exec(bench_pdf.TOOLS[tool], namespace)
            total += namespace["pages"]
        passes.append(time.perf_counter() - t0)
    return {"pages": total, "imports": imports, "first": passes[0],
            "next": statistics.median(passes[1:]) if runs > 1 else None}


def tool(name: str, paths: list[Path], runs: int) -> dict:
    load = os.getloadavg()[0]
    try:
        r = _child_json(["tool", name, str(runs)], json.dumps([str(p) for p in paths]))
    except RuntimeError as exc:
        r = {"error": str(exc).splitlines()[-1][:160]}
    r["load"] = load
    print(f"  {name}: {r}", flush=True)
    return r


def measure_devset() -> dict:
    """tongbao end to end (fresh OUT, 1 and 2 workers) against pdfplumber and camelot on the same PDFs."""
    pdfs = sorted(DEVSET.glob("*.pdf"))
    print(f"development set: {len(pdfs)} PDFs", flush=True)
    out: dict = {"files": len(pdfs), "tongbao": {}}
    for workers in (1, 2):
        out["tongbao"][workers] = [convert(pdfs, WORK / f"out-devset-w{workers}", workers, fresh=True)
                                   for _ in range(DEVSET_PROCESSES)]
    out["pdfplumber"] = [tool("pdfplumber_tables", pdfs, 3) for _ in range(DEVSET_PROCESSES)]
    out["camelot"] = tool("camelot_lattice", pdfs, 1)  # one pass in one process: camelot is slow
    out["pages"] = next((r["pages"] for r in out["pdfplumber"] if "pages" in r), None)
    out["first_pages"] = _child_json(["pages", str(pdfs[0])])["pages"]
    return out


def measure_scaling(files: list[Path]) -> dict:
    print(f"scaling: {len(files)} files", flush=True)
    runs: dict[int, list[dict]] = {1: [], 2: []}
    for _ in range(SCALING_REPEATS):
        for workers in (1, 2):
            runs[workers].append(convert(files, WORK / f"out-scaling-w{workers}", workers, fresh=True))
    rerun = convert(files, WORK / "out-scaling-w2", 2, fresh=False)
    return {"runs": runs, "rerun": rerun}


def measure_memory() -> dict:
    gen = _child_json(["generate", str(max(MEMORY_SIZES))])
    paths = [Path(p) for p in gen["paths"]]
    print(f"memory: {len(paths)} small text bulletins generated ({gen['bytes'] / len(paths):.0f} bytes each)", flush=True)
    runs = {}
    for n in MEMORY_SIZES:
        runs[n] = convert(paths[:n], WORK / f"out-memory-{n}", 2, fresh=True)
    big = max(MEMORY_SIZES)
    rerun = convert(paths[:big], WORK / f"out-memory-{big}", 2, fresh=False)
    return {"runs": runs, "rerun": rerun, "bytes": gen["bytes"] / len(paths)}


# ---------------------------------------------------------------- RESULTS.md

def _med(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _holds(ok: bool) -> str:
    return "**holds**" if ok else "**does not hold**"


def _load(runs: list[dict]) -> str:
    lo, hi = min(r["load"] for r in runs), max(r["load"] for r in runs)
    return f"{lo:.1f}" if f"{lo:.1f}" == f"{hi:.1f}" else f"{lo:.1f}–{hi:.1f}"


def devset_lines(devset: dict) -> list[str]:
    pages = devset["pages"]
    plumber = [r for r in devset["pdfplumber"] if "error" not in r]
    cam = devset["camelot"]
    lines = [f"### End to end on the development set's PDFs ({devset['files']} files, {pages} pages, LibreOffice-made)", "",
             "tests/data/devset/*.pdf, read as one batch. *Work* is the timed call (tongbao: `convert_batch` into a "
             "fresh OUT, from the forkserver's start to report.html; the others: every page of every file); "
             "*imports* is what the process imported before (tongbao.pipeline; pdfplumber; camelot). pdfplumber and "
             "camelot run the code of benchmarks/bench_pdf.py. Medians of "
             f"{DEVSET_PROCESSES} fresh processes (camelot: one).", "",
             "| tool | imports s | work s | pages/s (work) | pages/s (imports + work) | load |",
             "| --- | --- | --- | --- | --- | --- |"]
    rows = []
    for workers, runs in devset["tongbao"].items():
        rows.append((f"tongbao `convert_batch`, workers={workers}", _med(runs, "imports"), _med(runs, "wall"), _load(runs)))
    if plumber:
        rows.append(("pdfplumber `page.extract_tables()`, first pass", _med(plumber, "imports"), _med(plumber, "first"), _load(plumber)))
        rows.append(("pdfplumber, the same files again in that process", None, _med(plumber, "next"), ""))
    if "error" not in cam:
        rows.append(("camelot lattice `read_pdf(flavor='lattice')`, first pass", cam["imports"], cam["first"], _load([cam])))
    for name, imports, work, load in rows:
        both = f"{pages / (imports + work):.1f}" if imports is not None else ""
        imp = f"{imports:.2f}" if imports is not None else ""
        lines.append(f"| {name} | {imp} | {work:.2f} | {pages / work:.1f} | {both} | {load} |")
    if "error" in cam:
        lines.append(f"| camelot lattice | error: {cam['error']} | | | | |")
    if not plumber:
        return lines + ["", "pdfplumber failed: " + devset["pdfplumber"][0].get("error", "?"), ""]
    w1 = devset["tongbao"][1]
    first = _med(w1, "first_done")
    rest = _med(w1, "last_done") - first
    merge = _med(w1, "wall") - _med(w1, "last_done")
    steady = (pages - devset["first_pages"]) / rest if rest > 0 else float("nan")
    best_w = min(devset["tongbao"], key=lambda w: _med(devset["tongbao"][w], "wall"))
    best = devset["tongbao"][best_w]
    p_work, p_both = _med(plumber, "first"), _med(plumber, "first") + _med(plumber, "imports")
    t_work, t_both = _med(best, "wall"), _med(best, "wall") + _med(best, "imports")
    lines += ["", f"Where tongbao's workers=1 time goes (medians): {first:.2f} s until the first document is stored "
              "(the forkserver's start, which imports tongbao and builds PDFium, spaCy's pipeline and the registries "
              f"once for every worker (tongbao/warm.py), then the first file), {rest:.2f} s for the other {devset['files'] - 1} "
              f"files ({steady:.1f} pages/s once warm), {merge:.2f} s merging the parts into the dataset and "
              "report.html.", "",
              f"Goal: tongbao end to end ≥ pdfplumber `extract_tables` alone on the same files in the same run — "
              f"{_holds(t_work <= p_work)}: tongbao (workers={best_w}) reads {pages / t_work:.1f} pages/s against "
              f"pdfplumber's {pages / p_work:.1f} ({p_work / t_work:.2f}×); counting imports, {pages / t_both:.1f} against "
              f"{pages / p_both:.1f} ({p_both / t_both:.2f}×)"
              + (f"; camelot lattice reads {pages / cam['first']:.1f} pages/s (tongbao {cam['first'] / t_work:.1f}× camelot)."
                 if "error" not in cam else "."), ""]
    return lines


def section(devset: dict, scaling: dict, memory: dict, scaling_files_: list[Path], start_load, total: float) -> list[str]:
    loaded = start_load[0] >= 0.5
    lines = [
        f"Date: {datetime.date.today().isoformat()}; machine: **2 cores** ({os.cpu_count()} CPUs, nproc), "
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}. "
        f"Load average at the start: {start_load[0]:.2f} / {start_load[1]:.2f} / {start_load[2]:.2f} (1 / 5 / 15 min)"
        + (" — **other work was running on the machine** (tests or benchmarks run just before), so the figures are lower "
           "and noisier than on an idle machine; each table gives the 1-minute load average at its runs."
           if loaded else " — the machine was otherwise idle."),
        "",
        f"Command: `make bench-batch` (`.venv/bin/python benchmarks/bench_batch.py`, {total / 60:.1f} min in all); "
        "inputs and output folders in benchmarks/_work/batch/.",
        "",
        "Every tongbao figure is one call of `tongbao.pipeline.convert_batch(paths, out, formats=(\"parquet\",), "
        "workers=N)` in a fresh subprocess (imports of tongbao in that process not counted; the forkserver's "
        "start, each worker's first-file costs, the merge and report.html all counted). Memory: the parent's "
        "peak resident set (VmHWM of /proc/self/status; ru_maxrss as well, which agrees), each worker's "
        "peak (VmHWM of every process the forkserver forks, polled every "
        f"{POLL_SECONDS:g} s; VmHWM keeps the peak between polls) and the peak sum of the parent's, the "
        "forkserver's and the workers' RSS. CPU: the parent's (getrusage) and the workers' (the forkserver's "
        "reaped children, /proc/PID/stat).",
        "",
    ]

    lines += devset_lines(devset)

    # 2. scaling
    runs = scaling["runs"]
    kinds = {}
    for p in scaling_files_:
        kind = p.suffix.lstrip(".")
        kinds[kind] = kinds.get(kind, 0) + 1
    w1, w2 = _med(runs[1], "wall"), _med(runs[2], "wall")
    cpu = {w: _med(runs[w], "workers_cpu") for w in (1, 2) if all(r["workers_cpu"] is not None for r in runs[w])}
    lines += [f"### Scaling: workers=2 against workers=1 on {len(scaling_files_)} distinct files", "",
              "The files: the development set in every format and encoding (tests/data/devset: txt, GB18030/Big5/UTF-16 "
              "txt, html, docx, pdf), the seeds as text and PDF (corpus/) and the LibreOffice fixtures "
              f"(tests/fixtures/libreoffice): {', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}; every file's "
              f"bytes differ. Fresh OUT each run; {SCALING_REPEATS} runs per setting, alternating; medians.", "",
              "| workers | seconds | files/s | until first stored | merge | workers' CPU s | parent CPU s | load |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for w in (1, 2):
        rs = runs[w]
        lines.append(f"| {w} | {_med(rs, 'wall'):.2f} | {len(scaling_files_) / _med(rs, 'wall'):.2f} | "
                     f"{_med(rs, 'first_done'):.2f} | {_med(rs, 'wall') - _med(rs, 'last_done'):.2f} | "
                     f"{cpu.get(w, float('nan')):.1f} | {_med(rs, 'parent_cpu'):.1f} | {_load(rs)} |")
    speedup = w1 / w2
    serial = _med(runs[1], "first_done") + w1 - _med(runs[1], "last_done")
    bound = w1 / (serial + (w1 - serial) / 2)
    lines += ["", f"Goal: `--workers 2` ≥ {GOAL_SCALING}× `--workers 1` on {len(scaling_files_)} files — "
              f"{_holds(speedup >= GOAL_SCALING)} (measured {speedup:.2f}×). In the workers=1 run {serial:.1f} s of "
              f"{w1:.1f} s are spent before the first document is stored or in the merge, which a second worker "
              f"cannot share: with that part serial, Amdahl's law gives two workers about {bound:.2f}×.", ""]

    # 3. memory
    mr = memory["runs"]
    small, big = min(MEMORY_SIZES), max(MEMORY_SIZES)
    lines += [f"### Peak memory from {small} to {big:,} files", "",
              f"The files: distinct small text bulletins ({memory['bytes']:.0f} bytes on average), the three example "
              "layouts of tongbao/render/examples.py in turn (score table of 8 departments, satisfaction table, "
              "volume table of 12 departments) rendered by `spec_to_text`, each from its own seed so every number "
              f"differs; the first {small:,} of the {big:,} are the small batch. workers=2, fresh OUT, one run each. "
              "*Parent while converting* is the parent's peak when the last document was stored, before the merge; "
              "*workers seen* counts worker processes (one is replaced after 200 files); *row groups* is "
              "cells.parquet's.", "",
              "| files | seconds | files/s | parent peak MB (VmHWM) | parent ru_maxrss MB | parent while converting MB | "
              "worker peak MB | workers seen | tree peak MB | row groups | load |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for n in MEMORY_SIZES:
        r = mr[n]
        lines.append(f"| {n:,} | {r['wall']:.1f} | {n / r['wall']:.1f} | {r['parent_hwm_mb']:.0f} | {r['parent_maxrss_mb']:.0f} | "
                     f"{r['parent_converting_mb']:.0f} | {r['worker_peak_mb']:.0f} | {r['workers_seen']} | "
                     f"{r['tree_peak_mb']:.0f} | {r['row_groups']} | {r['load']:.1f} |")
    growth = {k: mr[big][k] / mr[small][k] - 1 for k in ("parent_hwm_mb", "worker_peak_mb", "tree_peak_mb") if mr[small][k]}
    flat = all(abs(g) <= GOAL_MEMORY for g in growth.values())
    lines += ["", f"Goal: peak memory flat (within {GOAL_MEMORY:.0%}) from {small} to {big:,} files — {_holds(flat)} "
              f"(parent {growth.get('parent_hwm_mb', 0):+.0%}, worker {growth.get('worker_peak_mb', 0):+.0%}, "
              f"whole tree {growth.get('tree_peak_mb', 0):+.0%}).", ""]

    # 4. rerun
    lines += ["### Rerun with nothing changed (same OUT, same files)", "",
              "| batch | first run s | rerun s | rerun / first | converted again | load |", "| --- | --- | --- | --- | --- | --- |"]
    pairs = [(f"{len(scaling_files_)} files (scaling set, workers=2)", runs[2][-1], scaling["rerun"]),
             (f"{big:,} small text files (workers=2)", mr[big], memory["rerun"])]
    ok = True
    for name, first, rerun in pairs:
        share = rerun["wall"] / first["wall"]
        ok &= share <= GOAL_RERUN and rerun["converted"] == 0
        lines.append(f"| {name} | {first['wall']:.2f} | {rerun['wall']:.3f} | {share:.2%} | {rerun['converted']} | {rerun['load']:.1f} |")
    lines += ["", f"Goal: a rerun with nothing changed ≤ {GOAL_RERUN:.0%} of the first run's time — {_holds(ok)}.", ""]
    return lines


def main(quick: bool = False) -> None:
    """`quick`: small sizes and single runs, printed only (to try the script, not for RESULTS.md)."""
    import results  # benchmarks/results.py: one writer of RESULTS.md sections

    global DEVSET_PROCESSES, SCALING_REPEATS, MEMORY_SIZES
    if quick:
        DEVSET_PROCESSES, SCALING_REPEATS, MEMORY_SIZES = 1, 1, (20, 60)
    start_load = os.getloadavg()
    print(f"load average at start: {start_load}", flush=True)
    t0 = time.time()
    WORK.mkdir(parents=True, exist_ok=True)
    files = scaling_files()
    devset = measure_devset()
    scaling = measure_scaling(files)
    memory = measure_memory()
    lines = section(devset, scaling, memory, files, start_load, time.time() - t0)
    if not quick:
        results.write_section(SECTION, "\n".join(lines))
    print("\n".join(lines))


def child(argv: list[str]) -> None:
    what = argv[0]
    if what == "convert":
        answer = child_convert(json.loads(sys.stdin.read()))
    elif what == "generate":
        answer = generate_small(int(argv[1]))
    elif what == "tool":
        answer = child_tool(argv[1], json.loads(sys.stdin.read()), int(argv[2]))
    elif what == "pages":
        import pypdfium2

        answer = {"pages": len(pypdfium2.PdfDocument(argv[1]))}
    elif what == "generate-pdf":
        answer = generate_pdf(int(argv[1]))
    else:
        raise SystemExit(f"unknown child {what!r}")
    print(RESULT + json.dumps(answer), flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
    else:
        main(quick="--quick" in sys.argv[1:])
