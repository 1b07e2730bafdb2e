"""One lock around every PDFium call: PDFium is not thread-safe, and Dask workers run tasks in threads.

PDFium reads each page's objects (extract/pdf_objects.py) and serves page images (the report, OCR) and
camelot's second opinions; each of them takes this lock.
"""
import threading

PDFIUM_LOCK = threading.RLock()
