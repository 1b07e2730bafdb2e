"""Characters per second of tongbao.nlp.narrative() on the seed bulletins, repeated to ~1 MB.

Writes a "## Narrative" section into benchmarks/RESULTS.md (other sections are left as they are).
Run: .venv/bin/python benchmarks/bench_narrative.py [--mb 1.0]
"""
from __future__ import annotations

import results  # benchmarks/results.py: one writer of RESULTS.md sections
import argparse
import os
import platform
import time
from datetime import date
from pathlib import Path

from tongbao.extract.text import narrative_ranges
from tongbao.extract.text_layout import table_parts
from tongbao.nlp import narrative
from tongbao.nlp.pipeline import get_nlp

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "## Narrative"


def seed_text() -> tuple[str, list[tuple[int, int]]]:
    texts, ranges, offset = [], [], 0
    for p in sorted((ROOT / "corpus").glob("*.txt")):
        text = p.read_text(encoding="utf-8").replace("\r\n", "\n")
        lines = text.split("\n")
        r = narrative_ranges(lines, [b for b, _, _ in table_parts(lines)])
        texts.append(text)
        ranges += [(a + offset, b + offset) for a, b in r]
        offset += len(text) + 1
    return "\n".join(texts) + "\n", ranges


def write_section(body: str) -> None:
    """This script's section of RESULTS.md (`body` starts with its heading)."""
    results.write_section(SECTION, body.strip()[len(SECTION):] if body.strip().startswith(SECTION) else body)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=1.0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    get_nlp()
    build = time.perf_counter() - t0
    base, base_ranges = seed_text()
    reps = max(1, int(args.mb * 1_000_000 / len(base)))
    text = base * reps
    ranges = [(a + k * len(base), b + k * len(base)) for k in range(reps) for a, b in base_ranges]
    narrative_chars = sum(b - a for a, b in ranges)
    t0 = time.perf_counter()
    n = narrative(text, "bench", ranges)
    secs = time.perf_counter() - t0
    body = f"""{SECTION}

Date: {date.today().isoformat()}; machine: {os.cpu_count()} CPUs, Python {platform.python_version()} on {platform.system()} {platform.machine()}.

Command: `.venv/bin/python benchmarks/bench_narrative.py` — `tongbao.nlp.narrative()` on the three seed bulletins
concatenated and repeated {reps}x ({len(text):,} characters, of which {narrative_chars:,} are in narrative ranges and
processed; tables are skipped as in the pipeline). Pipeline build (spaCy blank zh (character tokens) + department EntityRuler, once
per process): {build:.2f} s, not counted.

| characters (whole text) | narrative characters | seconds | narrative chars/s | figures | awards | mentions | rankings |
| --- | --- | --- | --- | --- | --- | --- | --- |
| {len(text):,} | {narrative_chars:,} | {secs:.2f} | {narrative_chars / secs:,.0f} | {len(n.figures):,} | {len(n.awards):,} | {len(n.mentions):,} | {len(n.rankings):,} |
"""
    print(body)
    write_section(body)


if __name__ == "__main__":
    main()
