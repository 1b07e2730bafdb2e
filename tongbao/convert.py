"""One file converted into one *part*: its rows of every published table, its Document and a summary.

This is the work a batch sends to its workers. Every stage after reading (checks, pseudonyms,
building the tables, checking them against the schemas, summarising for the report) runs inside
one guard: a stage that fails turns this document into a `failed` row that says which stage and
why, and never reaches the rest of the batch.
"""
from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from . import limits
from .check.rules import Rule
from .limits import Limits
from .model import STATUS_FAILED, Document
from .store import DOCUMENT_FILE, SUMMARY_FILE, encode_table, table_name


@dataclass(frozen=True)
class Settings:
    """What a worker needs to convert a file the same way as every other worker."""

    rules: tuple[Rule, ...] | None = None
    aliases: str | None = None
    indicator_aliases: str | None = None
    salt: str | None = None
    limits: Limits = field(default_factory=Limits)

    def fingerprint(self) -> str:
        """The options that change a part's content (the salt only as a hash of itself)."""
        aliases = [hashlib.sha256(Path(a).read_bytes()).hexdigest() if a else "" for a in (self.aliases, self.indicator_aliases)]
        salt = hashlib.sha256(b"tongbao-salt\n" + self.salt.encode()).hexdigest() if self.salt else ""
        return "\n".join([repr(self.rules), *aliases, salt, self.limits.fingerprint()])


@dataclass
class Converted:
    """A finished document: the files of its part, and the path it was read from."""

    path: str
    doc_id: str
    status: str
    error: str | None
    payload: dict[str, bytes]


@lru_cache(maxsize=4)
def _matcher(aliases: str | None):
    from .normalize.entities import default_matcher

    return default_matcher(aliases)


@lru_cache(maxsize=4)
def _indicators(aliases: str | None):
    from .normalize.indicators import IndicatorMatcher, default_indicator_matcher

    return IndicatorMatcher(aliases=aliases) if aliases else default_indicator_matcher()


def convert_file(path: str, settings: Settings = Settings()) -> Converted:
    """Read, check and tabulate one file under the settings' limits; never raises for a bad file."""
    from .pipeline import process_file

    with limits.using(settings.limits):
        doc = process_file(path, list(settings.rules) if settings.rules is not None else None)
        return document_part(doc, settings)


def document_part(doc: Document, settings: Settings, matcher=None) -> Converted:
    """The part of a document already read and checked (pseudonymized here when the settings say so)."""
    from .export.rows import table_rows
    from .privacy import pseudonymize_documents

    matcher = matcher or _matcher(settings.aliases)
    stage = "pseudonymizing its people"
    try:
        if settings.salt:
            pseudonymize_documents([doc], settings.salt)
        stage = "building its tables"
        rows = table_rows([doc], matcher, _indicators(settings.indicator_aliases))
        stage = "checking its tables against the published schemas"
        tables = _tables(rows)
        stage = "writing its tables"
        payload = _payload(doc, tables)
    except Exception as exc:  # noqa: BLE001 - a bug or bad data in one document marks that document only
        doc = failed_document(doc.source_path, doc.doc_id, f"{stage} failed: {type(exc).__name__}: {exc}", doc.format)
        payload = _payload(doc, _tables(table_rows([doc], matcher)))
    return Converted(doc.source_path, doc.doc_id, doc.status, doc.error, payload)


def failed_document(path: str, doc_id: str, reason: str, fmt: str | None = None) -> Document:
    """A document that could not be converted: the row that says why."""
    fmt = fmt or Path(path).suffix.lower().lstrip(".") or "unknown"
    return Document(doc_id=doc_id, source_path=str(path), format=fmt, status=STATUS_FAILED, error=reason)


def failed_part(path: str, doc_id: str, reason: str) -> Converted:
    """The part of a file whose worker timed out or died."""
    doc = failed_document(path, doc_id, reason)
    return document_part(doc, Settings())


def _tables(rows: dict[str, list[dict]]) -> dict:
    """Each table's rows as its Arrow table, checked against the published schema."""
    from .export.schemas import rows_to_arrow

    return {name: rows_to_arrow(table, name) for name, table in rows.items()}


def _payload(doc: Document, tables: dict) -> dict[str, bytes]:
    payload = {table_name(name): encode_table(table) for name, table in tables.items()}
    payload[DOCUMENT_FILE] = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
    payload[SUMMARY_FILE] = json.dumps(summary(doc, tables)).encode("ascii")  # ASCII escapes: a path's odd bytes survive
    return payload


def summary(doc: Document, tables: dict) -> dict:
    """What the merge and the report need of a document without loading it: its report summary,
    the key a look back finds it by, its status and its tables' row counts."""
    from .export.report import DocSummary

    return {"report": DocSummary.of(doc).to_json(), "issuer": doc.issuer, "period_label": doc.period_label,
            "cross_document": _needs_other_documents(doc), "status": doc.status, "error": doc.error,
            "source_path": doc.source_path, "doc_id": doc.doc_id,
            "rows": {name: table.num_rows for name, table in tables.items()}}


FINDING_TABLES = ("documents", "findings", "checks")  # the tables a document's findings change


def with_findings_added(doc: Document, tables: dict) -> dict:
    """A stored document's tables after checks across documents added findings to it: the tables the
    findings appear in built again from the Document, the others as they were stored."""
    from .export.rows import documents_rows, findings_rows

    rows = {"documents": documents_rows([doc]), "findings": findings_rows([doc]),
            "checks": findings_rows([doc], include_passed=True)}
    return {**tables, **_tables(rows)}


def _needs_other_documents(doc: Document) -> bool:
    """Whether a check across documents has something to check here (a growth claim); a document
    another's claim looks back to is found by its issuer and period in the summary."""
    from .check.growth import growth_claims

    return bool(doc.status != STATUS_FAILED and growth_claims(doc))
