"""Print, for one page of a PDF, how many of its CJK characters PDFium drew: the characters (as
tongbao reads them) whose box holds a dark pixel in the page image tongbao's report renders.
Run under tests/tools/without_system_fonts.sh to see what a machine without fonts draws."""
from __future__ import annotations

import json
import sys

import pdfplumber
import pypdfium2

from tongbao.extract.pdf_fonts import page_descents
from tongbao.extract.pdf_objects import page_objects
from tongbao.export.page_images import SCALE
from tongbao.normalize.text import CJK_CHAR

DARK = 128  # grey level below which a pixel is ink


def drawn(path: str, index: int) -> dict[str, int]:
    doc = pypdfium2.PdfDocument(path)
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[index]
        chars = page_objects(doc[index], index + 1, float(page.height), 0.0, page_descents(page))["char"]
    image = doc[index].render(scale=SCALE).to_pil().convert("L")
    cjk = [c for c in chars if CJK_CHAR.fullmatch(c["text"])]
    inked = 0
    for c in cjk:
        box = image.crop((int(c["x0"] * SCALE), int(c["top"] * SCALE), int(c["x1"] * SCALE) + 1, int(c["bottom"] * SCALE) + 1))
        inked += box.getextrema()[0] < DARK
    return {"cjk": len(cjk), "drawn": inked}


if __name__ == "__main__":
    print(json.dumps(drawn(sys.argv[1], int(sys.argv[2]))))
