"""`python -m tongbao.render OUTDIR`: write the example bulletins as PDFs (and their specs as JSON)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .examples import examples
from .pdf import render_pdf
from .spec import spec_to_dict


def main(argv: list[str] | None = None) -> int:
    """Render every example spec to OUTDIR/<name>.pdf with OUTDIR/<name>.json beside it."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print("usage: python -m tongbao.render OUTDIR", file=sys.stderr)
        return 2
    out = Path(args[0])
    out.mkdir(parents=True, exist_ok=True)
    for name, spec in examples().items():
        pdf = render_pdf(spec, out / f"{name}.pdf")
        (out / f"{name}.json").write_text(json.dumps(spec_to_dict(spec), ensure_ascii=False, indent=1), "utf-8")
        print(pdf)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
