"""Bulletin specs rendered the way many offices publish them: written as DOCX, exported to PDF by
LibreOffice. Its PDFs differ from reportlab's in ways readers must survive: justified lines spaced
out, spaces put between Chinese and digits, numbers wrapped inside narrow cells, and table rows
broken across pages.

`python -m tongbao.render --libreoffice OUTDIR` writes the examples so (needs `soffice`; the
committed fixtures in tests/fixtures/libreoffice/ were made this way, `make fixtures-libreoffice`).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from .docx import render_docx
from .seeds import wide
from .spec import BulletinSpec, spec_to_dict

SOFFICE_TIMEOUT = 120  # seconds for one conversion


def soffice() -> str | None:
    """The LibreOffice command, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def render_libreoffice_pdf(spec: BulletinSpec, path: str | Path) -> Path:
    """`spec` as DOCX (landscape when a table is wide), converted to the PDF at `path` by headless LibreOffice."""
    command = soffice()
    if command is None:
        raise RuntimeError("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        docx = render_docx(spec, Path(tmp) / (path.stem + ".docx"), landscape=wide(spec))
        subprocess.run([command, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", "pdf",
                        "--outdir", tmp, str(docx)], check=True, capture_output=True, timeout=SOFFICE_TIMEOUT)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(Path(tmp) / (path.stem + ".pdf")), path)
    return path


def write_fixtures(specs: dict[str, BulletinSpec], out: str | Path) -> list[Path]:
    """Each spec as OUT/<name>.pdf (through LibreOffice) with the spec beside it as <name>.json."""
    out = Path(out)
    written = []
    for name, spec in specs.items():
        written.append(render_libreoffice_pdf(spec, out / f"{name}.pdf"))
        (out / f"{name}.json").write_text(json.dumps(spec_to_dict(spec), ensure_ascii=False, indent=1) + "\n", "utf-8")
    return written
