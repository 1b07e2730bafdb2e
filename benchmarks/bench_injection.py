"""Error-injection benchmark of the audit: inject one change at a time and see whether a check finds it.

For every checkable table cell (one that a verified check depends on) and every narrative figure a
check verified, inject: a cell off by ±1 and ±10 %, a percentage off by 0.1, a narrative total off
by ±1, and two adjacent names of a ranking claim swapped. An injection is found when a new error or
warning appears. Injections the arithmetic admits (a value moved onto its own correct rounding) are
counted apart. Precision: the findings on the untouched documents, listed for review.

Changes are made to the extracted Document (value and printed text together) and the checks re-run,
so this measures the checks, not the readers. Run: .venv/bin/python benchmarks/bench_injection.py
"""
from __future__ import annotations

import copy
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import results  # noqa: E402  benchmarks/results.py
from tongbao.check import run_checks  # noqa: E402
from tongbao.check.rankings import ranking_claims  # noqa: E402
from tongbao.extract import read_document  # noqa: E402
from tongbao.extract.text import read_text  # noqa: E402
from tongbao.model import Document  # noqa: E402
from tongbao.render.examples import examples  # noqa: E402
from tongbao.render.spec import spec_to_text  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "## Audit error injection"


DEVSET = ROOT / "tests" / "data" / "devset"  # ten bulletins written elsewhere, with truth files and a scorer


def corpus() -> dict[str, Document]:
    """The seeds, the renderer's examples and the development set's bulletins, as text."""
    docs = {p.name: read_document(p) for p in sorted((ROOT / "corpus").glob("*.txt"))}
    for name, spec in examples().items():
        doc = Document(doc_id=name.ljust(64, "0"), source_path=f"{name}.txt", format="txt")
        docs[f"example:{name}"] = read_text(spec_to_text(spec).encode("utf-8"), doc)
    for path in sorted(DEVSET.glob("[0-9][0-9][0-9].txt")):
        docs[f"devset:{path.name}"] = read_document(path)
    return docs


def devset_audit() -> str:
    """What `score.py findings` says of the untouched development set: its planted inconsistencies
    found, and its false alarms (errors on facts that hold or on claims that are not wrong)."""
    from tongbao.export.writers import write_tables
    from tongbao.pipeline import run_batch

    with tempfile.TemporaryDirectory() as out:
        batch = run_batch(sorted(DEVSET.glob("[0-9][0-9][0-9].txt")), workers=1, scheduler="serial")
        write_tables(batch.frames, Path(out), ("csv",))
        score = subprocess.run([sys.executable, str(DEVSET / "score.py"), "findings", out,
                                *map(str, sorted(DEVSET.glob("*.truth.json")))], capture_output=True, text=True)
    return score.stdout.strip().splitlines()[-1]


def _fmt(value: float, decimals: int) -> str:
    return f"{value:.{max(decimals, 0)}f}"


def _key(f) -> tuple:
    return (f.check, f.severity, f.message)


def _checked(doc: Document) -> Document:
    out = copy.deepcopy(doc)
    run_checks(out)
    return out


def checkable(doc: Document):
    """(kind, ref) of every cell and figure a verified check depends on."""
    cells, figures = set(), set()
    for c in doc.checks:
        if c.severity != "pass":
            continue
        for loc in c.locations:
            if "figure_id" in loc:
                figures.add(loc["figure_id"])
            elif "row" in loc:
                cells.add((loc["table_id"], loc["row"], loc["col"]))
    return cells, figures


def cell_variants(value: float, decimals: int, unit: str | None):
    if unit == "%":
        yield "percent+0.1", value + 0.1
        return
    step = 10 ** -max(decimals, 0)
    yield "+1", value + max(1.0, step) if decimals <= 0 else value + 1
    yield "-1", value - 1
    if value:
        tenth = round(value * 1.1, max(decimals, 0))
        if tenth != value:
            yield "+10%", tenth


def inject_cell(doc: Document, ref, new_value: float) -> Document:
    out = copy.deepcopy(doc)
    table = next(t for t in out.tables if t.table_id == ref[0])
    for cell in table.rows[ref[1]]:
        if cell.col == ref[2]:
            cell.value = new_value
            cell.text = _fmt(new_value, cell.decimals or 0) + ("%" if cell.unit == "%" and cell.text.endswith("%") else "")
    return out


def inject_figure(doc: Document, figure_id: str, new_value: float) -> Document:
    out = copy.deepcopy(doc)
    for f in out.figures:
        if f.figure_id == figure_id:
            f.value = new_value
            f.text = _fmt(new_value, f.decimals or 0) + (f.unit or "")
    return out


def swapped_rankings(doc: Document):
    for start, end, items, _ in ranking_claims(doc.text):
        for i in range(len(items) - 1):
            a, b = items[i], items[i + 1]
            segment = doc.text[start:end]
            swapped = segment.replace(a, "\0").replace(b, a).replace("\0", b)
            if swapped != segment:
                out = copy.deepcopy(doc)
                out.text = doc.text[:start] + swapped + doc.text[end:]
                yield f"swap {a}/{b}", out


def _touches(finding, ref) -> bool:
    if ref == "ranking":
        return finding.check == "ranking"
    for loc in finding.locations:
        if isinstance(ref, tuple) and "row" in loc and (loc.get("table_id"), loc.get("row"), loc.get("col")) == ref:
            return True
        if isinstance(ref, str) and loc.get("figure_id") == ref:
            return True
    return False


def outcome(base: Document, injected: Document, ref) -> str:
    checked = _checked(injected)
    before = {_key(f) for f in base.findings}
    new = [f for f in checked.findings if _key(f) not in before
           and (f.severity in ("error", "warning") or _touches(f, ref))]
    if new:
        return "found"
    touching = [c for c in checked.checks if _touches(c, ref)]
    if touching and all(c.severity == "pass" for c in touching):
        return "admissible"
    return "missed"


def run() -> dict:
    stats: Counter = Counter()
    misses: list[str] = []
    per_kind: dict[str, Counter] = {}
    baseline: dict[str, list[str]] = {}
    started = time.time()
    for name, raw in corpus().items():
        base = _checked(raw)
        baseline[name] = [f"{f.severity} {f.check}: {f.message}" for f in base.findings if f.severity in ("error", "warning")
                          and f.check != "extraction_unsure"]
        cells, figures = checkable(base)
        for ref in sorted(cells):
            table = next(t for t in raw.tables if t.table_id == ref[0])
            cell = next(c for c in table.rows[ref[1]] if c.col == ref[2])
            if cell.value is None or cell.unsure:
                continue
            for kind, value in cell_variants(cell.value, cell.decimals or 0, cell.unit):
                result = outcome(base, inject_cell(raw, ref, value), ref)
                per_kind.setdefault(kind, Counter())[result] += 1
                if result == "missed":
                    misses.append(f"{name} {ref} {cell.row_label}/{cell.header_path} {cell.text} → {value:g}")
        for fid in sorted(figures):
            fig = next(f for f in raw.figures if f.figure_id == fid)
            kinds = [("percent+0.1", fig.value + 0.1)] if fig.unit == "%" else [("narrative+1", fig.value + 1), ("narrative-1", fig.value - 1)]
            for kind, value in kinds:
                result = outcome(base, inject_figure(raw, fid, value), fid)
                per_kind.setdefault(kind, Counter())[result] += 1
                if result == "missed":
                    misses.append(f"{name} {fid} {fig.text} → {value:g}")
        for kind, injected in swapped_rankings(raw):
            result = outcome(base, injected, "ranking")
            per_kind.setdefault("ranking swap", Counter())[result] += 1
            if result == "missed":
                misses.append(f"{name} {kind}")
    for counter in per_kind.values():
        stats.update(counter)
    return {"per_kind": per_kind, "stats": stats, "misses": misses, "baseline": baseline, "devset": devset_audit(),
            "seconds": time.time() - started}


def write(result: dict) -> str:
    s = result["stats"]
    decided = s["found"] + s["missed"]
    lines = [SECTION, "",
             f"Date: {dt.date.today()}; machine: {os.cpu_count()} CPUs, Python {platform.python_version()}. "
             f"Command: `.venv/bin/python benchmarks/bench_injection.py` ({result['seconds']:.0f} s).", "",
             "Corpus: the three seeds in corpus/, the renderer's example bulletins and the development set's ten "
             "bulletins written elsewhere (tests/data/devset), all as text. One change at a time to a "
             "checkable cell or figure (one a verified check depends on); the checks re-run on the changed Document.", "",
             f"**Recall: {s['found']} / {decided} = {100 * s['found'] / max(decided, 1):.1f} %** of the injections that make the "
             f"document inconsistent were found (a new error or warning, or a new finding at the changed cell — an info "
             f"when the row's placement is unsure); {s['admissible']} injections landed on a value the arithmetic admits "
             "(a truncated 99.9 % moved to its correct rounding, two tied names swapped) and are not counted.", "",
             "| change | found | missed | admissible |", "| --- | --- | --- | --- |"]
    for kind, c in sorted(result["per_kind"].items()):
        lines.append(f"| {kind} | {c['found']} | {c['missed']} | {c['admissible']} |")
    lines += ["", "Missed injections:" if result["misses"] else "No injection was missed.", ""]
    lines += [f"- {m}" for m in result["misses"][:30]]
    lines += ["", f"**False alarms on the untouched development set** (`score.py findings`: errors on facts that "
              f"hold or on claims that are not wrong; goal 0): {result['devset']}.", "",
              "Precision: errors and warnings on the untouched documents (extraction_unsure aside), each explained "
              "in corpus/README.md or tests/data/seed_facts.yaml, or planted in the development set (its truth files):", ""]
    for name, found in result["baseline"].items():
        lines.append(f"- {name}: {len(found)}" + ("" if not found else ""))
        lines += [f"  - {f[:160]}" for f in found]
    return "\n".join(lines) + "\n"


def update_results(section: str) -> None:
    """This benchmark's section of RESULTS.md (`section` starts with its heading)."""
    results.write_section(SECTION, section[len(SECTION):])


if __name__ == "__main__":
    res = run()
    section = write(res)
    update_results(section)
    print(section)
