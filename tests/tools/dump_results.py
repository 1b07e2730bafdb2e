"""Print what tongbao reads from some files as one text: every column of the cells, figures and
findings tables, rows in a fixed order. Two runs whose texts are equal read the files identically
(run under tests/tools/without_system_fonts.sh to compare a machine with fonts and one without)."""
from __future__ import annotations

import sys

import tongbao

TABLES = ("cells", "figures", "findings")


def dump(paths: list[str], workers: int = 1) -> str:
    frames = tongbao.extract(paths, workers=workers, scheduler="serial")
    parts = []
    for name in TABLES:
        frame = frames[name]
        frame = frame.sort_values(list(frame.columns[:3]), kind="stable").reset_index(drop=True)
        parts.append(f"## {name} ({len(frame)} rows)\n" + frame.to_csv(index=False))
    return "\n".join(parts)


if __name__ == "__main__":
    sys.stdout.write(dump(sys.argv[1:]))
