"""`python -m tongbao.render OUTDIR`: write the example bulletins as PDFs (and their specs as JSON).

`python -m tongbao.render --seeds corpus/ [OUTDIR]`: render every seed text bulletin corpus/<name>.txt
as <OUTDIR or corpus>/<name>.pdf (see tongbao.render.seeds).

`python -m tongbao.render --libreoffice OUTDIR [SEED.txt ...]`: the examples, the layouts from elsewhere (and the seeds named) as
DOCX exported to PDF by LibreOffice (see tongbao.render.libreoffice).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .elsewhere import elsewhere_examples
from .examples import examples
from .pdf import render_pdf
from .spec import spec_to_dict

USAGE = ("usage: python -m tongbao.render OUTDIR\n       python -m tongbao.render --seeds SEED_DIR [OUTDIR]\n"
         "       python -m tongbao.render --libreoffice OUTDIR [SEED.txt ...]")


def main(argv: list[str] | None = None) -> int:
    """Render every example spec to OUTDIR/<name>.pdf with OUTDIR/<name>.json beside it, or the seeds."""
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--seeds" and len(args) in (2, 3):
        from .seeds import render_seeds

        for pdf in render_seeds(args[1], args[2] if len(args) == 3 else None):
            print(pdf)
        return 0
    if args and args[0] == "--libreoffice" and len(args) >= 2:
        from .libreoffice import write_fixtures
        from .seeds import seed_file_to_spec

        specs = {**examples(), **elsewhere_examples(), **{Path(seed).stem: seed_file_to_spec(seed) for seed in args[2:]}}
        for pdf in write_fixtures(specs, args[1]):
            print(pdf)
        return 0
    if len(args) != 1 or args[0].startswith("-"):
        print(USAGE, file=sys.stderr)
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
