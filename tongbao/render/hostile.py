"""Bad inputs made from good ones, so every reader can be tested on what a real crawl brings:
truncated and xref-broken PDFs, encrypted ones, a zero-page PDF, an image-only scan, an HTML error
page named .pdf, and empty, binary, GB18030 and table-less .txt files."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pypdfium2 as pdfium
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from ..pdfium_lock import PDFIUM_LOCK
from .examples import score_bulletin
from .pdf import render_pdf
from .spec import BulletinSpec, spec_to_text

USER_PASSWORD, OWNER_PASSWORD = "user-secret", "owner-secret"


def zero_page_pdf() -> bytes:
    """A syntactically valid PDF whose page tree is empty (/Count 0), with a correct xref."""
    return pdf_of_objects([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def pdf_of_objects(objs: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1, the first the catalog) with a correct xref."""
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def break_xref(data: bytes) -> bytes:
    """Point startxref past the end of the file and zero every xref offset: readers must rebuild."""
    data = re.sub(rb"startxref\s+(\d+)", lambda m: b"startxref\n%d" % (int(m.group(1)) + 99991), data)
    return re.sub(rb"(?m)^\d{10} (\d{5}) n", lambda m: b"0000000000 " + m.group(1) + b" n", data)


def image_only_pdf(source: Path, target: Path, dpi: int = 150) -> Path:
    """Each page of `source` rasterised (pypdfium2) and drawn as one image: a scan, no text layer.

    The base font is not embedded, so CJK glyphs show in the image only where pdfium finds a system
    CJK font (e.g. fonts-wqy-microhei); lines, digits and Latin text always show.
    """
    doc = pdfium.PdfDocument(str(source))
    c = canvas.Canvas(str(target))
    try:
        for page in doc:
            w, h = page.get_size()
            image = page.render(scale=dpi / 72, grayscale=True).to_pil()
            c.setPageSize((w, h))
            c.drawImage(ImageReader(image), 0, 0, width=w, height=h)
            c.showPage()
    finally:
        doc.close()
    c.save()
    return target


def partly_scanned_pdf(source: Path, target: Path, scanned: list[int], dpi: int = 150) -> Path:
    """`source` with the pages numbered in `scanned` (from 1) replaced by their scans: a bulletin
    whose text was typed and whose annex was printed, stamped and scanned back in."""
    scan = image_only_pdf(source, target.with_suffix(".scan.pdf"), dpi=dpi)
    return replace_pages(source, scan, scanned, target)


def replace_pages(source: Path, scan: Path, scanned, target: Path) -> Path:
    """`source` with the pages numbered in `scanned` (from 1) taken from `scan`, saved as `target`;
    `scan` is removed."""
    with PDFIUM_LOCK:
        text, images, out = pdfium.PdfDocument(str(source)), pdfium.PdfDocument(str(scan)), pdfium.PdfDocument.new()
        try:
            for i in range(len(text)):
                out.import_pages(images if i + 1 in scanned else text, [i])
            out.save(str(target))
        finally:
            for doc in (out, images, text):
                doc.close()
    scan.unlink()
    return target


NOT_PDF = (
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>404 Not Found</title></head>"
    "<body><h1>404 Not Found</h1><p>您访问的页面不存在或已被删除。</p></body></html>\n"
).encode("utf-8")


def write_hostile_pdfs(folder: str | Path, spec: BulletinSpec | None = None) -> dict[str, Path]:
    """Write the good PDF of `spec` (default: the score example) and its broken variants to `folder`.

    Keys: good, truncated, broken_xref, encrypted (user password USER_PASSWORD), encrypted_empty_user
    (opens without a password; owner password only), zero_pages, image_only, not_pdf.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    spec = spec or score_bulletin()
    good = render_pdf(spec, folder / "good.pdf")
    data = good.read_bytes()
    out = {"good": good}

    def write(name: str, payload: bytes) -> None:
        out[name] = folder / f"{name}.pdf"
        out[name].write_bytes(payload)

    write("truncated", data[: len(data) // 3])
    write("broken_xref", break_xref(data))
    out["encrypted"] = render_pdf(
        spec, folder / "encrypted.pdf",
        encrypt=StandardEncryption(USER_PASSWORD, ownerPassword=OWNER_PASSWORD, strength=128),
    )
    out["encrypted_empty_user"] = render_pdf(
        spec, folder / "encrypted_empty_user.pdf",
        encrypt=StandardEncryption("", ownerPassword=OWNER_PASSWORD, canModify=0, canCopy=0, strength=128),
    )
    write("zero_pages", zero_page_pdf())
    out["image_only"] = image_only_pdf(good, folder / "image_only.pdf")
    write("not_pdf", NOT_PDF)
    return out


def write_hostile_texts(folder: str | Path, spec: BulletinSpec | None = None) -> dict[str, Path]:
    """Write awkward .txt inputs to `folder`. Keys: empty, binary, gb18030, no_table."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    spec = spec or score_bulletin()
    no_table = BulletinSpec(
        issuer=spec.issuer, doc_number=spec.doc_number, title=spec.title, issue_date=spec.issue_date,
        paragraphs=spec.paragraphs, signature=spec.signature, red_header=spec.red_header,
    )
    payloads = {
        "empty": b"",
        "binary": b"\x89PNG\r\n\x1a\n\x00\x00" + random.Random(0).randbytes(4096),
        "gb18030": spec_to_text(spec).encode("gb18030"),
        "no_table": spec_to_text(no_table).encode("utf-8"),
    }
    out = {}
    for name, payload in payloads.items():
        out[name] = folder / f"{name}.txt"
        out[name].write_bytes(payload)
    return out
