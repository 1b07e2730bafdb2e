"""The stored parts of a batch merged into the published dataset and the report, one part at a time.

Checks across documents (a growth claim against the previous period's bulletin) run here, on what
is stored: only the documents that make such a claim, and the bulletins they name, are loaded. A
document that gains findings so has its tables rebuilt from its Document; every other document's
rows are copied from its part as they are.
"""
from __future__ import annotations

import pickle
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from .convert import Settings, _matcher, document_part, summary, with_findings_added
from .export.schemas import TABLES
from .model import Document, printable_path
from .store import DOCUMENT_FILE, PartStore, decode_table, table_name

CACHED_DOCUMENTS = 8  # documents kept loaded while checks across documents look back


@dataclass(frozen=True)
class Entry:
    """One distinct input file of the batch and the key of its part."""

    path: str
    doc_id: str
    key: str


@dataclass
class Merged:
    """What a merge wrote, and the counts a summary line needs."""

    written: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    unknown_indicators: int = 0  # labels in the indicator review queue


class _Documents:
    """Documents of the batch loaded from the store when asked for, a few kept (for a look back)."""

    def __init__(self, store: PartStore, entries: list[Entry]):
        self.store, self.entries = store, entries
        self._cache: OrderedDict[str, Document] = OrderedDict()
        self._by_period: dict[tuple, str] = {}

    def load(self, entry: Entry) -> Document:
        doc = self._cache.get(entry.key)
        if doc is None:
            doc = self.store.document(entry.key)
            doc.source_path = entry.path  # the file as this run found it (it may have moved)
            self._cache[entry.key] = doc
            while len(self._cache) > CACHED_DOCUMENTS:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(entry.key)
        return doc

    def index(self, summaries: list[dict]) -> None:
        for entry, s in zip(self.entries, summaries):
            if s.get("issuer") and s.get("period_label"):
                self._by_period.setdefault((s["issuer"], s["period_label"]), entry.key)

    def get(self, key: tuple):
        """The bulletin of an (issuer, period label), as check.growth asks for it."""
        part = self._by_period.get(key)
        if part is None:
            return None
        return self.load(next(e for e in self.entries if e.key == part))


def merge_parts(store: PartStore, entries: list[Entry], out: Path, formats: tuple[str, ...], settings: Settings,
                report: bool = True) -> Merged:
    """Write the dataset (every requested format), datapackage.json and report.html from the parts."""
    from .check.growth import add_growth_findings
    from .export.report import DocSummary, render_report_from
    from .export.writers import DatasetWriter, write_text_atomic
    from .normalize.indicators import REVIEW_FILE, ReviewQueue, write_indicator_review

    summaries = [store.summary(e.key) for e in entries]
    docs = _Documents(store, entries)
    docs.index(summaries)
    rebuilt: dict[str, _Rebuilt] = {}  # key → the document and tables after the checks across documents
    for entry, s in zip(entries, summaries):
        if s["cross_document"]:
            doc = docs.load(entry)
            add_growth_findings(doc, docs)
            rebuilt[entry.key] = _rebuild(store, entry, doc, settings)
            s.update(summary(rebuilt[entry.key].doc, rebuilt[entry.key].tables))
    merged = Merged()
    writer = DatasetWriter(out, formats)
    try:
        entities = _Entities()  # one row per (raw name, city), however many documents name it
        unknown = ReviewQueue()  # labels that are no known indicator, for the review queue
        for entry, s in zip(entries, summaries):
            for name in TABLES:
                table = _part_table(store, entry, name, rebuilt.get(entry.key))
                if name == "documents":
                    table = _with_path(table, entry.path)
                elif name == "entities":
                    entities.add(table)
                    continue
                elif name == "observations":
                    unknown.add(_unknown_indicators(table))
                writer.append(name, table)
            if s["status"] == "failed":
                merged.failed.append((entry.path, s["error"]))
        writer.append_frame("entities", entities.frame())
        merged.written = writer.commit(TABLES)
        merged.rows = dict(writer.rows)
        review = Path(out) / REVIEW_FILE
        merged.unknown_indicators = write_indicator_review(unknown, review)
        merged.written.append(review)
    except BaseException:
        writer.discard()
        raise
    if report:
        report_summaries = [DocSummary.from_json({**s["report"], "file": printable_path(Path(e.path).name)})
                            for e, s in zip(entries, summaries)]

        def load(i: int) -> Document:
            e = entries[i]
            if e.key in rebuilt:  # with its findings across documents
                return rebuilt[e.key].doc
            return docs.load(e)

        merged.written.append(write_text_atomic(Path(out) / "report.html", render_report_from(report_summaries, load)))
    merged.counts = _counts(summaries, merged.rows)
    merged.counts["unknown_indicators"] = merged.unknown_indicators
    return merged


def _unknown_indicators(table):
    """The rows of an observations part whose label is no known indicator, in the columns the queue reads."""
    import pyarrow.compute as pc

    from .normalize.indicators import ReviewQueue

    if "indicator_method" not in table.column_names:
        return table.slice(0, 0).to_pandas()
    rows = table.filter(pc.equal(table.column("indicator_method"), "unknown"))
    return rows.select([*ReviewQueue.INPUT, "indicator_method"]).to_pandas()


@dataclass
class _Rebuilt:
    """A document the checks across documents added findings to, and its tables since."""

    doc: Document
    tables: dict


def _rebuild(store: PartStore, entry: Entry, doc: Document, settings: Settings) -> _Rebuilt:
    """Only the tables findings appear in are built again (no department or place matching in the
    merge); a document whose tables cannot be built so becomes a failed row, as in a worker."""
    try:
        stored = {name: store.table(entry.key, name) for name in TABLES}
        return _Rebuilt(doc, with_findings_added(doc, stored))
    except Exception:  # noqa: BLE001 - document_part turns what fails into this document's failed row
        part = document_part(doc, Settings(rules=settings.rules, aliases=settings.aliases,
                                           indicator_aliases=settings.indicator_aliases), _matcher(settings.aliases))
        failed = pickle.loads(part.payload[DOCUMENT_FILE])
        failed.source_path = entry.path
        return _Rebuilt(failed, {name: decode_table(part.payload[table_name(name)]) for name in TABLES})


def _part_table(store: PartStore, entry: Entry, name: str, rebuilt: _Rebuilt | None):
    if rebuilt is not None:
        return rebuilt.tables[name]
    return store.table(entry.key, name)


def _with_path(table, path: str):
    """The documents row with the path this run read the file from."""
    import pyarrow as pa

    i = table.schema.get_field_index("source_path")
    return table.set_column(i, table.schema.field(i), pa.array([printable_path(path)] * table.num_rows, type=pa.string()))


class _Entities:
    """One entities row per (raw name, city) however many documents name it; its level and region
    only where every document agrees (as normalize/places.py decides for a batch held in memory).
    Kept as it goes, so memory grows with the distinct names, not with the documents."""

    AGREE = ("level", "region")

    def __init__(self):
        self.rows: dict[tuple, dict] = {}

    def add(self, table) -> None:
        for row in table.to_pylist():
            key = (row["entity_raw"], row["city"])
            first = self.rows.get(key)
            if first is None:
                self.rows[key] = row
                continue
            for col in self.AGREE:
                if col in row and first.get(col) != row[col]:
                    first[col] = None

    def frame(self):
        import pandas as pd

        from .export.schemas import conform, empty_frame

        return conform(pd.DataFrame(list(self.rows.values())), "entities") if self.rows else empty_frame("entities")


def _counts(summaries: list[dict], rows: dict[str, int]) -> dict[str, int]:
    out = {"documents": len(summaries), "failed": sum(s["status"] == "failed" for s in summaries)}
    for name in ("tables", "cells", "figures", "entities"):
        out[name] = rows.get(name, 0)
    for sev in ("error", "warning", "info"):
        out[sev] = sum(s["report"]["counts"].get(sev, 0) for s in summaries)
    return out
