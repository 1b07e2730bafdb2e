"""Documents → the rows of every published table (one dict per row, keyed by the schema's column
names): the one place a table's content is decided. `frames.py` turns them into pandas DataFrames
for the in-memory API, `schemas.rows_to_arrow` into the Arrow tables a batch's parts store."""
from __future__ import annotations

import json

from ..model import Document, printable_path
from .schemas import TABLES


def documents_rows(docs: list[Document]) -> list[dict]:
    return [dict(
        doc_id=d.doc_id, source_path=printable_path(d.source_path), format=d.format, status=d.status, error=d.error,
        issuer=d.issuer, province=d.province, city=d.city, district=d.district, doc_number=d.doc_number,
        title=d.title, issue_date=d.issue_date, period_start=d.period_start, period_end=d.period_end,
        period_label=d.period_label,
        **{f"{k}_simplified": getattr(d, f"{k}_simplified") for k in ("issuer", "province", "city", "district",
                                                                       "doc_number", "title")},
        n_pages=d.n_pages, n_tables=len(d.tables), n_figures=len(d.figures),
        n_errors=sum(f.severity == "error" for f in d.findings), n_warnings=sum(f.severity == "warning" for f in d.findings))
        for d in docs]


def tables_rows(docs: list[Document]) -> list[dict]:
    return [dict(table_id=t.table_id, doc_id=t.doc_id, annex=t.annex, title=t.title, unit=t.unit, page_start=t.page_start,
                 page_end=t.page_end, n_header_rows=t.n_header_rows, n_rows=t.n_rows, n_cols=t.n_cols, method=t.method,
                 method_reason=t.method_reason, header_paths=json.dumps([c.header_path for c in t.columns], ensure_ascii=False),
                 notes="\n".join(t.notes) or None)
            for d in docs for t in d.tables]


def cells_rows(docs: list[Document]) -> list[dict]:
    return [dict(table_id=t.table_id, doc_id=t.doc_id, row=c.row, col=c.col, row_label=c.row_label, header_path=c.header_path,
                 text=c.text, raw=c.raw, value=c.value, unit=c.unit, max_points=c.max_points, page=c.page, x0=c.x0, top=c.top,
                 x1=c.x1, bottom=c.bottom, filled_from_above=c.filled_from_above, unsure=c.unsure)
            for d in docs for t in d.tables for r in t.rows for c in r]


def figures_rows(docs: list[Document]) -> list[dict]:
    return [dict(figure_id=f.figure_id, doc_id=f.doc_id, page=f.page, start=f.start, end=f.end, sentence=f.sentence, text=f.text,
                 entity_raw=f.entity_raw, entity_id=f.entity_id, metric=f.metric, value=f.value, unit=f.unit, qualifier=f.qualifier,
                 **{k: getattr(f, k, None) for k in ("period", "comparison", "bound", "approx", "value_high")})
            for d in docs for f in d.figures]


def awards_rows(docs: list[Document], matches: dict) -> list[dict]:
    rows = []
    for d in docs:
        for a in d.awards:
            unit = a.recipient if a.recipient_kind == "unit" else a.department
            m = matches.get((unit, d.city)) if unit else None
            rows.append(dict(award_id=a.award_id, doc_id=a.doc_id, page=a.page, start=a.start, end=a.end, sentence=a.sentence,
                             title=a.title, recipient=a.recipient,
                             recipient_kind=a.recipient_kind, department=a.department, entity_id=getattr(m, "entity_id", None),
                             period=a.period))
    return rows


def mentions_rows(docs: list[Document], matches: dict) -> list[dict]:
    rows = []
    for d in docs:
        for x in d.mentions:
            m = matches.get((x.department, d.city)) if x.department else None
            rows.append(dict(mention_id=x.mention_id, doc_id=x.doc_id, page=x.page, start=x.start, end=x.end, sentence=x.sentence,
                             person=x.person, department=x.department, entity_id=getattr(m, "entity_id", None),
                             what=x.what, detail=x.detail))
    return rows


def findings_rows(docs: list[Document], include_passed: bool = False) -> list[dict]:
    return [dict(finding_id=f.finding_id, doc_id=f.doc_id, check=f.check, severity=f.severity, message=f.message,
                 expected=f.expected, reported=f.reported, difference=f.difference, tolerance=f.tolerance,
                 arithmetic=f.arithmetic, locations=f.locations_json())
            for d in docs for f in (d.checks if include_passed else d.findings)]


def observations_rows(docs: list[Document], matches: dict, indicators=None) -> list[dict]:
    """One row per table cell with a value and per narrative figure; its indicator from
    normalize/indicators.py (`indicator` repeats `indicator_raw` for one release)."""
    from ..normalize.indicators import cell_indicator, default_indicator_matcher, figure_indicator

    indicators = indicators or default_indicator_matcher()
    rows = []
    for d in docs:
        for t in d.tables:
            for r in t.rows:
                for c in r:
                    if c.value is None or c.col < t.label_cols:
                        continue
                    m = matches.get((c.row_label, d.city))
                    rows.append(dict(doc_id=d.doc_id, city=d.city, period_label=d.period_label,
                                     entity_id=getattr(m, "entity_id", None), entity_name=c.row_label,
                                     **cell_indicator(indicators, c), value=c.value, unit=c.unit, max_points=c.max_points,
                                     source="cell", source_ref=f"{t.table_id}:{c.row}:{c.col}", unsure=c.unsure))
        for f in d.figures:
            m = matches.get((f.entity_raw, d.city)) if f.entity_raw else None
            rows.append(dict(doc_id=d.doc_id, city=d.city, period_label=d.period_label, entity_id=getattr(m, "entity_id", None),
                             entity_name=f.entity_raw, **figure_indicator(indicators, f), value=f.value, unit=f.unit, max_points=None,
                             source="figure", source_ref=f.figure_id, unsure=False))
    return rows


def table_rows(docs: list[Document], matcher=None, indicators=None) -> dict[str, list[dict]]:
    """The rows of all published tables for these documents (people's names are pseudonymized, when a
    run asks for it, in the documents themselves: tongbao/privacy.py); `indicators` an IndicatorMatcher."""
    from ..normalize.entities import entity_rows  # here: normalize imports the schemas of this package
    from ..normalize.places import place_rows

    entities, matches = entity_rows(docs, matcher)
    for d in docs:
        for f in d.figures:
            m = matches.get((f.entity_raw, d.city)) if f.entity_raw else None
            f.entity_id = getattr(m, "entity_id", None)
    rows = {
        "documents": documents_rows(docs), "tables": tables_rows(docs), "cells": cells_rows(docs),
        "figures": figures_rows(docs), "awards": awards_rows(docs, matches),
        "mentions": mentions_rows(docs, matches), "entities": entities, "observations": observations_rows(docs, matches, indicators),
        "findings": findings_rows(docs), "checks": findings_rows(docs, include_passed=True),
    }
    place_rows(rows["entities"], rows["observations"], docs, matches)
    assert set(rows) == set(TABLES)
    return rows
