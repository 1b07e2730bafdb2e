"""One lock around every PDFium call: PDFium is not thread-safe, and Dask workers run tasks in threads.

tongbao's own PDF parsing goes through pdfminer (pdfplumber); PDFium serves page images (the report,
OCR) and camelot's second opinions, each of which takes this lock.
"""
import threading

PDFIUM_LOCK = threading.RLock()
