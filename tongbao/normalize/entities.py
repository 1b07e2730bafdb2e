"""Collect the department names a batch mentions and match each (name, city) pair once."""
from __future__ import annotations

from ..extract.headers import is_total_label
from ..model import Document


def mentioned_names(docs: list[Document]) -> list[tuple[str, str | None]]:
    """(raw name, city) pairs from table row labels (total rows aside), figures, awards and mentions,
    first-seen order."""
    seen: dict[tuple[str, str | None], None] = {}
    for d in docs:
        for t in d.tables:
            for r in t.rows:
                label = r[0].row_label if r else None
                if label and not label.isdigit() and not is_total_label(label):
                    seen.setdefault((label, d.city), None)
        for f in d.figures:
            if f.entity_raw:
                seen.setdefault((f.entity_raw, d.city), None)
        for a in d.awards:
            unit = a.recipient if a.recipient_kind == "unit" else a.department
            if unit:
                seen.setdefault((unit, d.city), None)
        for m in d.mentions:
            if m.department:
                seen.setdefault((m.department, d.city), None)
    return list(seen)


def default_matcher(aliases=None):
    from .departments import DepartmentMatcher
    return DepartmentMatcher(aliases=aliases)


def entity_rows(docs: list[Document], matcher=None) -> tuple[list[dict], dict]:
    """(entities rows, {(raw, city): match}) for every name the documents mention."""
    pairs = mentioned_names(docs)
    if not pairs:
        return [], {}
    matcher = matcher or default_matcher()
    matches = matcher.match_many([p[0] for p in pairs], [p[1] for p in pairs])
    lookup = dict(zip(pairs, matches))
    rows = [dict(entity_raw=raw, city=city, level=m.level, entity_id=m.entity_id, canonical_name=m.canonical_name,
                 score=float(m.score), method=m.method, needs_review=bool(m.needs_review))
            for (raw, city), m in lookup.items()]
    return rows, lookup


def match_entities(docs: list[Document], matcher=None):
    """(entities frame, {(raw, city): match}): entity_rows as a frame, before places are added."""
    from ..export.frames import rows_frame

    rows, lookup = entity_rows(docs, matcher)
    return rows_frame(rows, "entities"), lookup
