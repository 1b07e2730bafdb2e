"""Draw the README's panel picture: one indicator across cities and periods, as a plain SVG bar chart.

    python tools/panel_figure.py OUT_DIR docs/panel.svg [indicator_id] [entity_type]

OUT_DIR is a `tongbao extract` output folder (its panel.parquet is read); no plotting library is
needed, and the SVG's Chinese is drawn by the viewer's fonts.
"""
from __future__ import annotations

import html
import sys
from pathlib import Path

import pandas as pd

WIDTH, BAR, GAP, LEFT, TOP = 640, 26, 10, 230, 48


def panel_svg(panel: pd.DataFrame, indicator: str, entity_type: str) -> str:
    rows = panel[(panel["indicator_id"] == indicator) & (panel["entity_type"] == entity_type) & ~panel["conflict"]]
    rows = rows.sort_values("value")
    lo = max(0.0, float(rows["value"].min()) - 1.0) if len(rows) else 0.0
    hi = float(rows["value"].max()) if len(rows) else 1.0
    scale = (WIDTH - LEFT - 60) / max(hi - lo, 1e-9)
    name = rows["indicator_name"].iloc[0] if len(rows) else indicator
    height = TOP + len(rows) * (BAR + GAP) + 30
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height}' font-family='sans-serif' font-size='13'>",
           "<rect width='100%' height='100%' fill='white'/>",
           f"<text x='10' y='24' font-size='15' font-weight='bold'>{html.escape(str(name))}（{html.escape(indicator)}，"
           f"{html.escape(entity_type)}）：各地各期，轴从 {lo:g} 起</text>"]
    for i, r in enumerate(rows.itertuples()):
        y = TOP + i * (BAR + GAP)
        w = (r.value - lo) * scale
        label = f"{r.region} {r.period_label}"
        out.append(f"<text x='{LEFT - 8}' y='{y + BAR * 0.7:.0f}' text-anchor='end'>{html.escape(label)}</text>")
        out.append(f"<rect x='{LEFT}' y='{y}' width='{w:.1f}' height='{BAR}' fill='#3b6ea8'/>")
        out.append(f"<text x='{LEFT + w + 6:.1f}' y='{y + BAR * 0.7:.0f}'>{r.value:g}</text>")
    out.append("</svg>")
    return "\n".join(out)


def main(argv: list[str]) -> None:
    out_dir, target = Path(argv[0]), Path(argv[1])
    indicator = argv[2] if len(argv) > 2 else "on_time_rate"
    entity_type = argv[3] if len(argv) > 3 else "all"
    panel = pd.read_parquet(out_dir / "panel.parquet")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(panel_svg(panel, indicator, entity_type), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
