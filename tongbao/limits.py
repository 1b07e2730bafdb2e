"""Limits on one input file, so a hostile or broken file costs a `failed` row, never the batch or the machine.

Two kinds:
- size limits, checked by the readers as soon as the size is known (bytes on disk, pages and page size,
  characters of text, unzipped bytes of an Office file, cells of a table grid once spans and merged
  ranges are expanded; HTML nesting is capped by libxml2 itself): the file fails at once with the limit it passed;
- the wall-clock timeout and the memory ceiling, enforced by the worker process that reads the file
  (tongbao/workers.py): an overrun worker is killed and replaced, the file becomes `failed`.

The limits in force are a context variable, so a worker sets them once and every reader sees them.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, replace

from .errors import ExtractionError

TIMEOUT_SECONDS = 300.0  # wall clock for one file: read, check, tables and report section
MEMORY_MB = 3072  # private memory (heap and anonymous maps) of one worker process
FILE_BYTES = 512 * 1024 * 1024  # larger inputs are refused rather than read into memory
PAGES = 2000  # a PDF with more pages is not a bulletin
PAGE_POINTS = 5000  # a page side longer than this (1.76 m; A0 is 3370 pt) would be a huge image to draw
TEXT_CHARS = 1_000_000  # characters of decoded text (txt, html): about 500 pages; a bulletin has a few thousand
UNZIPPED_BYTES = 1024 * 1024 * 1024  # all members of a DOCX or XLSX, as their headers declare them
GRID_CELLS = 2_000_000  # cells of one table once rowspans and colspans are expanded


class LimitExceeded(ExtractionError):
    """A file passed one of its limits; the message names the limit and how to raise it."""


@dataclass(frozen=True)
class Limits:
    """The limits one file is read under (the defaults above; `--timeout`, `--memory-limit` change two)."""

    timeout_seconds: float = TIMEOUT_SECONDS
    memory_mb: int = MEMORY_MB
    file_bytes: int = FILE_BYTES
    pages: int = PAGES
    page_points: int = PAGE_POINTS
    text_chars: int = TEXT_CHARS
    unzipped_bytes: int = UNZIPPED_BYTES
    grid_cells: int = GRID_CELLS

    def with_(self, **changes) -> "Limits":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def fingerprint(self) -> str:
        """What of the limits can change a result (all of them: a file over one fails)."""
        return repr(self)


DEFAULT = Limits()
_CURRENT: contextvars.ContextVar[Limits] = contextvars.ContextVar("tongbao_limits", default=DEFAULT)


def current() -> Limits:
    return _CURRENT.get()


@contextmanager
def using(limits: Limits):
    """Read files under these limits within the block."""
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)


def check(what: str, value: int, limit_name: str) -> None:
    """Raise LimitExceeded when `value` passes the limit called `limit_name`."""
    limit = getattr(current(), limit_name)
    if value > limit:
        raise LimitExceeded(f"{what}: {value:,} is over the limit of {limit:,} ({limit_name}); "
                            "not a bulletin, or raise the limit")
