"""Readers for each input format; `read_document` sniffs the format and never raises on bad input."""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import ExtractionError
from .. import limits
from ..model import STATUS_FAILED, STATUS_PARTIAL, Document



def sniff_format(path: Path, head: bytes) -> str:
    """The format from the file's first bytes, the extension only as a tie-breaker."""
    suffix = path.suffix.lower().lstrip(".")
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if suffix in ("xlsx", "docx"):
            return suffix
        if b"xl/" in head and b"word/" not in head:  # member names of the package's first entries
            return "xlsx"
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: Word 97-2003 .doc or Excel .xls
        return "xls" if suffix == "xls" else "doc"
    lowered = head[:2048].lower()
    if b"<html" in lowered or b"<!doctype html" in lowered or suffix in ("html", "htm"):
        return "html"
    if suffix in ("pdf", "docx", "xlsx"):
        return suffix  # named so but not so inside: the reader says what is wrong
    return "txt"


SNIFF_BYTES = 4096
KNOWN_SUFFIXES = {".txt", ".text", ".pdf", ".docx", ".xlsx", ".html", ".htm", ".doc", ".xls"}
_CJK_TEXT = ("utf-8", "gb18030", "utf-16")


def looks_like_bulletin(path: Path) -> bool:
    """Whether a file found in a folder is worth reading: a bulletin's extension, or bytes that are
    one (a PDF, an Office package, a web page; a file without extension holding Chinese text), so a
    bulletin saved without its extension is not skipped and a folder's other files are."""
    if path.name.startswith("."):
        return False
    suffix = path.suffix.lower()
    if suffix in KNOWN_SUFFIXES:
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return False
    fmt = sniff_format(path.with_suffix(""), head)  # the bytes alone, not the name
    if fmt != "txt" and (not head.startswith(b"PK") or b"word/" in head or b"xl/" in head):
        return True  # a PDF, an Office file (not any zip archive), a web page
    if suffix:
        return False  # another kind of file (.json, .csv, .png …)
    for encoding in _CJK_TEXT:
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return sum("\u4e00" <= ch <= "\u9fff" for ch in text) >= 8
    return False


def _reader(fmt: str):
    if fmt == "txt":
        from .text import read_text
        return read_text
    if fmt == "pdf":
        try:
            from .pdf import read_pdf
        except ImportError as exc:  # pragma: no cover - packaging error
            raise ExtractionError(f"PDF support unavailable: {exc}") from exc
        return read_pdf
    if fmt == "docx":
        from .docx import read_docx
        return read_docx
    if fmt == "html":
        from .html import read_html
        return read_html
    if fmt == "xlsx":
        from .xlsx import read_xlsx
        return read_xlsx
    if fmt in ("doc", "xls"):
        raise ExtractionError(f"legacy .{fmt} (Office 97-2003 binary) is not supported: save it as .{fmt}x")
    raise ExtractionError(f"format {fmt!r} is not supported yet")


def read_document(path: str | Path) -> Document:
    """Extract one file; a file that cannot be read becomes a `failed` Document with the reason."""
    path = Path(path)
    doc = Document(doc_id="", source_path=str(path), format=path.suffix.lower().lstrip(".") or "unknown")
    try:
        size = path.stat().st_size
        limits.check("file too large: bytes", size, "file_bytes")
        data = path.read_bytes()
        doc.doc_id = hashlib.sha256(data).hexdigest()
        doc.format = sniff_format(path, data[:4096])
        _reader(doc.format)(data, doc)
        if not doc.tables and not doc.figures and doc.status != STATUS_FAILED:
            doc.error = doc.error or "no table or figure found: not a bulletin, or nothing to extract"
    except ExtractionError as exc:
        doc.status, doc.error = STATUS_FAILED, str(exc)
    except OSError as exc:
        doc.status, doc.error = STATUS_FAILED, f"cannot read file: {exc.strerror or exc}"
    except MemoryError:
        doc.status, doc.error = STATUS_FAILED, f"needed more memory than the ceiling of {limits.current().memory_mb} MB"
    except Exception as exc:  # a reader bug must not stop the batch; the row says what happened
        doc.status, doc.error = STATUS_FAILED, f"internal error while reading: {type(exc).__name__}: {exc}"
    if not doc.doc_id:
        doc.doc_id = hashlib.sha256(str(path).encode()).hexdigest()
    if doc.status != STATUS_FAILED and any(f.check == "extraction_unsure" for f in doc.findings):
        doc.status = STATUS_PARTIAL
    return doc
