"""Documents → the published tables as pandas DataFrames (the output contract in schemas/), for the
in-memory API; their rows come from rows.py, as a batch's parts do."""
from __future__ import annotations

import pandas as pd

from ..model import Document
from .rows import table_rows
from .schemas import conform, empty_frame


def rows_frame(rows: list[dict], name: str) -> pd.DataFrame:
    """One table's rows as a frame in its published columns and types."""
    return conform(pd.DataFrame(rows), name) if rows else empty_frame(name)


def build_frames(docs: list[Document], matcher=None, indicators=None) -> dict[str, pd.DataFrame]:
    """All published tables for a batch of documents (rows.table_rows) as DataFrames."""
    return {name: rows_frame(rows, name) for name, rows in table_rows(docs, matcher, indicators).items()}
