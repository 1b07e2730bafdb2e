"""Files made to stall or exhaust a reader, for the per-file limits to be tested on: an Office zip
bomb, a merged-range bomb, huge HTML spans, a huge PDF media box, a PDF whose page tree loops, a text
of one 10 MB line, a row of thousands of cells, and a file name that is not UTF-8."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from .hostile import pdf_of_objects

BOMB_BYTES = 1536 * 1024 * 1024  # what the zip bomb's member unzips to (it is about 1.5 MB zipped)


def _minimal_pdf(page: bytes, pages: bytes = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>") -> bytes:
    """A PDF of a catalog, a page tree and one page object."""
    return pdf_of_objects([b"<< /Type /Catalog /Pages 2 0 R >>", pages, page])


def huge_media_box_pdf() -> bytes:
    """One page 14,400 points square (5 m, PDF's largest), which a renderer would draw as gigapixels."""
    return _minimal_pdf(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] >>")


def page_tree_loop_pdf() -> bytes:
    """A page tree whose only kid is the tree itself (an indirect-object loop)."""
    return _minimal_pdf(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
                        pages=b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>")


def docx_zip_bomb() -> bytes:
    """A DOCX whose document.xml unzips to BOMB_BYTES of spaces."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b" " * (16 * 1024 * 1024)
            for _ in range(BOMB_BYTES // len(chunk)):
                fh.write(chunk)
    return buf.getvalue()


def xlsx_merged_bomb(path: Path) -> Path:
    """A workbook with a value in A1 and in a far corner, and A1 merged over the whole square between
    (written as XML: openpyxl itself would make an object for every merged cell)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "受理量"
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    far = "<row r=\"20000\"><c r=\"BXX20000\"><v>1</v></c></row>"
    sheet = sheet.replace("</sheetData>", far + "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"A1:BXX20000\"/></mergeCells>")
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def html_rowspan_bomb() -> bytes:
    """A table of a few rows whose cells span a thousand rows and columns each."""
    cells = "".join(f"<td rowspan='100000' colspan='1000'>{i}</td>" for i in range(50))
    rows = "".join(f"<tr>{cells}</tr>" for _ in range(200))
    return f"<html><body><p>关于政务服务的通报</p><table>{rows}</table></body></html>".encode()


def one_line_text(chars: int = 10 * 1024 * 1024) -> bytes:
    """A text file of one line: a sentence repeated without a line break."""
    sentence = "本月全市政务服务中心共受理办件12345件，办结12000件。"
    return (sentence * (chars // len(sentence) + 1))[:chars].encode("utf-8")


def wide_row_text(cells: int = 5000) -> bytes:
    """A text table whose one row has thousands of cells."""
    head = "\t".join(["单位"] + [f"指标{i}" for i in range(cells)])
    row = "\t".join(["市人社局"] + [str(i) for i in range(cells)])
    return f"关于政务服务的通报\n\n{head}\n{row}\n".encode("utf-8")


def write_bombs(folder: str | Path) -> dict[str, Path]:
    """Every file above in `folder`; keys name the problem each one pins."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}

    def write(name: str, data: bytes) -> None:
        out[name] = folder / name
        out[name].write_bytes(data)

    write("huge_media_box.pdf", huge_media_box_pdf())
    write("page_tree_loop.pdf", page_tree_loop_pdf())
    write("zip_bomb.docx", docx_zip_bomb())
    out["merged_bomb.xlsx"] = xlsx_merged_bomb(folder / "merged_bomb.xlsx")
    write("rowspan_bomb.html", html_rowspan_bomb())
    write("one_line.txt", one_line_text())
    write("wide_row.txt", wide_row_text())
    odd = os.path.join(os.fsencode(folder), b"\xff\xfe-not-utf8.txt")
    with open(odd, "wb") as fh:
        fh.write("关于政务服务的通报\n\n单位\t受理量\n市人社局\t12\n合计\t12\n".encode("utf-8"))
    out["not_utf8_name"] = Path(os.fsdecode(odd))
    return out
