"""What every worker needs, built once in the forkserver its workers are forked from: the heavy
imports (pdfplumber, PDFium, spaCy), the narrative pipeline and the default registries. A worker
then starts ready, and a replaced one costs milliseconds, not the second of a cold start."""
from __future__ import annotations


def warm() -> None:
    import pdfplumber  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    from . import pdfium_lock  # noqa: F401 - PDFium with tongbao's font lookup
    from .convert import _indicators, _matcher
    from .nlp.pipeline import get_nlp

    get_nlp()
    _matcher(None)
    _indicators(None)


warm()
