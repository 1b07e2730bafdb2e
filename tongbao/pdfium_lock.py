"""One lock around every PDFium call: PDFium is not thread-safe, and Dask workers run tasks in threads.

PDFium reads each page's objects (extract/pdf_objects.py) and serves page images (the report, OCR) and
camelot's second opinions; each of them takes this lock. Every one of them imports this module, so
this is also where PDFium is given tongbao's own fonts (pdfium_fonts.py) before it opens any file.
"""
import threading

from .pdfium_fonts import use_bundled_fonts

PDFIUM_LOCK = threading.RLock()
use_bundled_fonts()
