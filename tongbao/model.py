"""The records every stage passes on: a Document holds its Tables, Figures and Findings.

They are plain dataclasses so any stage (or a notebook) can build and read them; the
export stage turns them into the published tables (see schemas/).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

STATUS_OK = "ok"
STATUS_PARTIAL = "partial"
STATUS_FAILED = "failed"

SEVERITIES = ("error", "warning", "info")


@dataclass
class Cell:
    """One body cell of a table, with where it came from and what it says."""

    row: int
    col: int
    text: str  # as printed, wrap spaces removed
    header_path: str = ""
    row_label: str = ""
    value: float | None = None
    unit: str | None = None
    max_points: float | None = None
    page: int | None = None
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None
    filled_from_above: bool = False
    unsure: bool = False
    decimals: int | None = None  # printed precision of value, for tolerance
    raw: str | None = None  # the original string before joining wraps
    ocr_score: float | None = None  # OCR recognition score (0-1) of the text; None when read from a text layer

    def location(self, table_id: str) -> dict[str, Any]:
        """A JSON-able reference to this cell, so a finding can point at it on the page."""
        loc: dict[str, Any] = {"table_id": table_id, "row": self.row, "col": self.col, "row_label": self.row_label,
                               "header": self.header_path, "text": self.text}
        if self.page is not None:
            loc.update(page=self.page, x0=self.x0, top=self.top, x1=self.x1, bottom=self.bottom)
        return loc


@dataclass
class Column:
    """A leaf column of a table header: its path from the top level and its maximum points."""

    index: int
    path: tuple[str, ...]
    max_points: float | None = None
    unit: str | None = None

    @property
    def header_path(self) -> str:
        return " / ".join(self.path)

    @property
    def label(self) -> str:
        return self.path[-1] if self.path else ""


@dataclass
class Table:
    """A table found in a document; body rows are lists of Cells aligned to `columns`."""

    table_id: str
    doc_id: str
    columns: list[Column]
    rows: list[list[Cell]]
    annex: str | None = None
    title: str | None = None
    unit: str | None = None
    page_start: int | None = None
    page_end: int | None = None
    n_header_rows: int = 1
    method: str = "text"
    method_reason: str = ""
    label_cols: int = 1  # how many leading columns name the row (序号, 部门 …)
    notes: list[str] = field(default_factory=list)  # text printed under the table (说明：…)
    placement: dict[int, str] = field(default_factory=dict)  # row → "fitted" / "ambiguous" / "no_fit"

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return len(self.columns)

    def cells(self):
        for r in self.rows:
            yield from r


@dataclass
class Figure:
    """A number stated in the narrative, with its sentence and the entity it speaks of."""

    figure_id: str
    doc_id: str
    start: int
    end: int
    sentence: str
    text: str
    value: float
    unit: str | None = None
    metric: str | None = None
    qualifier: str | None = None
    entity_raw: str | None = None
    entity_id: str | None = None
    page: int | None = None
    decimals: int | None = None


@dataclass
class Finding:
    """A check that failed or could not be decided, with the arithmetic shown."""

    doc_id: str
    check: str
    severity: str
    message: str
    expected: float | None = None
    reported: float | None = None
    difference: float | None = None
    tolerance: float | None = None
    locations: list[dict[str, Any]] = field(default_factory=list)
    finding_id: str = ""
    arithmetic: str | None = None  # the sum or division shown to the reader

    def locations_json(self) -> str:
        return json.dumps(self.locations, ensure_ascii=False)


@dataclass(kw_only=True)
class Metadata:
    """What a bulletin says of itself: who issued it, its number, title, date, period and region."""

    issuer: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    doc_number: str | None = None
    title: str | None = None
    issue_date: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    period_label: str | None = None
    # The strings above in simplified characters (OpenCC t2s), for grouping and matching across scripts:
    # a bulletin printed in traditional characters keeps its own strings in the fields above. Equal to
    # them when the bulletin is written in simplified characters.
    issuer_simplified: str | None = None
    province_simplified: str | None = None
    city_simplified: str | None = None
    district_simplified: str | None = None
    doc_number_simplified: str | None = None
    title_simplified: str | None = None


@dataclass
class Document(Metadata):
    """One input file and everything extracted from it (its Metadata fields are keyword-only)."""

    doc_id: str
    source_path: str
    format: str
    status: str = STATUS_OK
    error: str | None = None
    text: str = ""
    n_pages: int | None = None
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # checks that failed or were undecided
    checks: list[Finding] = field(default_factory=list)  # every check run, verified ones with severity "pass"
    awards: list[Any] = field(default_factory=list)  # tongbao.nlp.Award: 示范窗口, 服务之星, 锦旗 …
    mentions: list[Any] = field(default_factory=list)  # tongbao.nlp.Mention: a person, their unit, what is said
    rankings: list[Any] = field(default_factory=list)  # tongbao.nlp.Ranking: ordered lists stated in the text
    page_offsets: list[int] = field(default_factory=list)  # char offset where each page starts

    def page_of(self, offset: int) -> int | None:
        """Page number (1-based) holding a character offset of `text`, if pages are known."""
        if not self.page_offsets:
            return None
        page = 1
        for i, start in enumerate(self.page_offsets):
            if offset >= start:
                page = i + 1
        return page


def printable_path(path) -> str:
    """A path as text every output can hold: bytes of a file name that are not UTF-8 (kept by Python
    as lone surrogates) written as \\xNN escapes, so one odd name cannot stop a Parquet or HTML writer."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
