"""Assemble a Table from a header grid and body rows, the same way for every input format.

Formats differ only in how they find the grid (tabs in text, ruling lines in a PDF, <td> in
HTML); the rebuilding of headers, row labels, blank "same as above" cells, side-by-side pairs
and value placement happens here once.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..model import Cell, Column, Finding, Table
from ..normalize.numbers import parse_number
from ..normalize.text import clean_label
from .headers import bare_label, is_adjustment_label, build_columns, clean_header, is_total_label, move_total_last
from .placement import AMBIGUOUS, Placement, place, row_adds_up
from .ocr_scores import mark_low_scores, mark_misfits
from .semantics import verify_kinds

ENTITY_HEADER = re.compile(r"(部门|单位|名称|县|区|地区|窗口单位)")
INDEX_HEADER = re.compile(r"^(序号|编号|窗口号|窗口编号|排名|名次)$")
MIN_NUMERIC_SHARE = 0.5  # a column is a value column when at least this share of its cells are numbers


@dataclass
class RawCell:
    """A cell as a format reader found it: text plus where it was printed, if known."""

    text: str
    page: int | None = None
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None
    score: float | None = None  # OCR recognition score (0-1) of the cell's text; None when not OCR'd

    @property
    def empty(self) -> bool:
        return not self.text.strip()


@dataclass
class TableParts:
    """What a reader hands over: header rows, body rows and the table's surroundings."""

    header: list[list[str]]
    body: list[list[RawCell]]
    title: str | None = None
    annex: str | None = None
    unit: str | None = None
    page_start: int | None = None
    page_end: int | None = None
    method: str = "text"
    method_reason: str = ""
    notes: list[str] = field(default_factory=list)
    positional: bool = True  # True when blank cells keep their position (tabs, ruled grids)


def is_side_by_side(header: list[list[str]]) -> bool:
    """A header whose every row repeats its first half, as in 窗口单位|值周|窗口单位|值周."""
    if not header:
        return False
    width = max(len(r) for r in header)
    if width < 4 or width % 2:
        return False
    half = width // 2
    for row in header:
        row = [clean_header(c) for c in row] + [""] * (width - len(row))
        if row[:half] != row[half:] or not any(row[:half]):
            return False
    return True


def unstack_side_by_side(parts: TableParts) -> TableParts:
    """Turn a two-pairs-wide table into one long table: left halves first, then right halves."""
    width = max(len(r) for r in parts.header)
    half = width // 2
    left, right = [], []
    for row in parts.body:
        row = row + [RawCell("")] * (width - len(row))
        left.append(row[:half])
        if any(not c.empty for c in row[half:]):
            right.append(row[half:width])
    return TableParts(
        header=[r[:half] for r in parts.header], body=left + right, title=parts.title, annex=parts.annex,
        unit=parts.unit, page_start=parts.page_start, page_end=parts.page_end, method=parts.method,
        method_reason=(parts.method_reason + "; " if parts.method_reason else "") + "side-by-side pairs unstacked",
        notes=parts.notes, positional=parts.positional,
    )


def _is_number(text: str) -> bool:
    return parse_number(text) is not None


def label_column_count(columns: list[Column], body: list[list[RawCell]]) -> int:
    """How many leading columns name the row (序号, 部门 …) rather than hold values."""
    count = 0
    for col in columns:
        texts = [r[col.index].text for r in body if col.index < len(r) and not r[col.index].empty]
        mostly_text = bool(texts) and sum(_is_number(t) for t in texts) < MIN_NUMERIC_SHARE * len(texts)
        label = bare_label(col.path[-1]) if col.path else ""
        index_like = bool(INDEX_HEADER.match(label))
        if mostly_text or (index_like and count == 0):
            count += 1
        else:
            break
    return max(count, 1) if columns else 0


def entity_column(columns: list[Column], n_labels: int) -> int:
    """The label column that names the department or region (部门, 单位, 县(市、区) …)."""
    for col in columns[:n_labels]:
        if col.path and ENTITY_HEADER.search(bare_label(col.path[-1])) and not INDEX_HEADER.match(bare_label(col.path[-1])):
            return col.index
    return max(0, n_labels - 1)


def total_column(columns: list[Column], n_labels: int) -> int | None:
    """The last column labelled 合计 / 总计 / 得分 …, if any."""
    for col in reversed(columns[n_labels:]):
        if col.path and is_total_label(col.path[-1]):
            return col.index
    return None


def _cell(raw: RawCell, row: int, col: Column | None, col_index: int, row_label: str) -> Cell:
    text = clean_label(raw.text)
    num = parse_number(text)
    unit = None
    if num is not None:
        unit = num.unit or (col.unit if col else None)
    return Cell(
        row=row, col=col_index, text=text, raw=raw.text, header_path=col.header_path if col else "",
        row_label=row_label, value=num.value if num else None, unit=unit, decimals=num.decimals if num else None,
        max_points=col.max_points if col else None, page=raw.page, x0=raw.x0, top=raw.top, x1=raw.x1, bottom=raw.bottom,
        ocr_score=raw.score,
    )


def assemble(parts: TableParts, doc_id: str, table_id: str) -> tuple[Table, list[Finding]]:
    """Build the Table and any extraction findings from a reader's parts."""
    if is_side_by_side(parts.header):
        parts = unstack_side_by_side(parts)
    body = [r for r in parts.body if any(not c.empty for c in r)]
    columns = _columns(parts.header)
    n_labels = label_column_count(columns, body)
    ent = entity_column(columns, n_labels)
    tot = total_column(columns, n_labels)
    value_cols = columns[n_labels:]
    rows: list[list[Cell]] = []
    findings: list[Finding] = []
    placement: dict[int, str] = {}
    previous_labels: list[str] = [""] * n_labels
    typical = _typical_count(body, n_labels, tot is not None and tot == len(columns) - 1)
    for raw_row in body:
        row_idx = len(rows)
        cells_in = list(raw_row)
        while cells_in and cells_in[-1].empty:
            cells_in.pop()
        labels = [cells_in[i] if i < len(cells_in) else RawCell("") for i in range(n_labels)]
        filled = [False] * n_labels
        is_total = any(is_total_label(clean_label(c.text)) for c in labels if not c.empty)
        for i in range(n_labels):
            label_name = bare_label(columns[i].path[-1]) if columns[i].path else ""
            if labels[i].empty and not is_total and not INDEX_HEADER.match(label_name) and rows:
                labels[i] = RawCell(previous_labels[i], labels[i].page, labels[i].x0, labels[i].top, labels[i].x1, labels[i].bottom,
                                    score=labels[i].score)
                filled[i] = True
        previous_labels = [clean_label(c.text) for c in labels]
        row_label = clean_label(labels[ent].text) if n_labels else ""
        out = []
        for i in range(n_labels):
            c = _cell(labels[i], row_idx, columns[i], i, row_label)
            c.filled_from_above = filled[i]
            out.append(c)
        values = cells_in[n_labels:]
        if _positional_fit(cells_in, columns, tot, parts.positional) and not _shift_suspected(values, value_cols):
            for j, raw in enumerate(values):
                if not raw.empty:
                    out.append(_cell(raw, row_idx, value_cols[j], value_cols[j].index, row_label))
        else:
            texts = [v for v in values if not v.empty]
            pl = place([v.text for v in texts], value_cols, _rel(tot, n_labels), typical)
            for raw, slot in zip(texts, pl.slots):
                col = value_cols[slot] if slot is not None else None
                out.append(_cell(raw, row_idx, col, col.index if col else len(columns) + len(out), row_label))
            if pl.status != "exact":
                placement[row_idx] = pl.status
            if pl.unsure:
                _mark_unsure(out, n_labels)
                findings.append(_unsure_finding(doc_id, table_id, row_idx, row_label, pl, out[n_labels:]))
        rows.append(out)
    table = Table(
        table_id=table_id, doc_id=doc_id, columns=columns, rows=rows, annex=parts.annex, title=parts.title,
        unit=parts.unit, page_start=parts.page_start, page_end=parts.page_end, n_header_rows=len(parts.header),
        method=parts.method, method_reason=parts.method_reason, label_cols=n_labels, notes=list(parts.notes), placement=placement,
    )
    findings.extend(verify_kinds(table))
    findings.extend(mark_low_scores(table))
    findings.extend(mark_misfits(table))
    return table, findings


def _columns(header: list[list[str]]) -> list[Column]:
    """The header's columns in the order printed. Only a text layer's multi-row header may have set a
    row-spanning 合计 before a later leaf (a cell written once, shifted); there it goes last. A
    single header row is never reordered: a total printed first (总件数 | 已办结 | 办理中) stays first,
    and the checks find it where it stands."""
    columns = build_columns(header)
    return move_total_last(columns) if len(header) >= 2 else columns


def _typical_count(body: list[list[RawCell]], n_labels: int, total_last: bool) -> int | None:
    """The most common number of values among rows that add up to their total, if any do."""
    counts = Counter()
    for row in body:
        texts = [c.text for c in row[n_labels:] if not c.empty]
        if row_adds_up(texts, total_last):
            counts[len(texts)] += 1
    return counts.most_common(1)[0][0] if counts else None


def _rel(total: int | None, offset: int) -> int | None:
    return None if total is None else total - offset


def _positional_fit(cells: list[RawCell], columns: list[Column], total: int | None, positional: bool) -> bool:
    """Cells can be taken where they stand: a full row, or a short row of a positional reader
    whose last value still lands in the total column."""
    if len(cells) == len(columns):
        return True
    if len(cells) > len(columns) or not positional:
        return False
    return total is None or len(cells) - 1 == total


def _shift_suspected(values: list[RawCell], value_cols: list[Column]) -> bool:
    """A short positional row is taken as is unless a value would break its column's maximum."""
    return any(
        not raw.empty and (n := parse_number(raw.text)) is not None and col.max_points is not None
        and not is_adjustment_label(col.path[-1]) and not (0 <= n.value <= col.max_points + 1e-9)
        for raw, col in zip(values, value_cols)
    )


def _mark_unsure(cells: list[Cell], n_labels: int) -> None:
    for c in cells[n_labels:]:
        c.unsure = True


def _unsure_finding(doc_id: str, table_id: str, row: int, label: str, pl: Placement, cells: list[Cell]) -> Finding:
    """Ambiguous placements whose row still adds up are info; rows that cannot be placed are warnings.
    `cells` are the row's value cells (its labels left out)."""
    return Finding(
        doc_id=doc_id, check="extraction_unsure", severity="info" if pl.status == AMBIGUOUS else "warning",
        message=f"第 {row + 1} 行「{label}」: {pl.reason}",
        locations=[c.location(table_id) for c in cells if c.value is not None],
        arithmetic=_values_arithmetic(cells),
    )


def _values_arithmetic(cells: list[Cell]) -> str | None:
    """The row's values before its last, added, against the last: what the reader can verify by eye."""
    values = [c for c in cells if c.value is not None]
    if len(values) < 2:
        return None
    total = sum(c.value for c in values[:-1])
    return " + ".join(c.text for c in values[:-1]) + f" = {total:.6g}（末值 {values[-1].text}）"


def continues(previous_header: list[list[str]], header: list[list[str]], threshold: float = 0.7) -> bool:
    """A header that repeats the previous table's header (allowing text-layer noise) continues it."""
    prev = {bare_label(c.path[-1]) for c in build_columns(previous_header) if c.path}
    cur = {bare_label(c.path[-1]) for c in build_columns(header) if c.path}
    if not prev or not cur:
        return False
    return len(prev & cur) / len(prev | cur) >= threshold
