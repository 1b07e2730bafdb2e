"""Run one document through the stages, and map a batch of files over an executor.

Documents are independent, so a batch is a map (serial, local processes, or a Dask cluster)
followed by one cheap merge into the published tables.
"""
from __future__ import annotations

import hashlib
import os
from functools import partial
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .check import run_checks
from .check.growth import run_cross_document_checks
from .check.rules import Rule, load_rules
from .extract import looks_like_bulletin, read_document
from .model import STATUS_FAILED, Document
from .privacy import SaltError, pseudonymize_documents

SERIAL_BELOW = 4  # batches smaller than this are not worth starting processes for


def unique_contents(paths: list[Path]) -> tuple[list[Path], dict[Path, Path]]:
    """Files with distinct bytes, and each duplicate mapped to the first file with the same bytes.

    doc_id is the sha256 of the bytes, so two copies of one bulletin are one document."""
    seen: dict[str, Path] = {}
    duplicates: dict[Path, Path] = {}
    unique = []
    for p in paths:
        try:
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
        except OSError:
            unique.append(p)  # unreadable: the reader reports why
            continue
        if digest in seen:
            duplicates[p] = seen[digest]
        else:
            seen[digest] = p
            unique.append(p)
    return unique, duplicates


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and folders searched recursively for bulletins (by extension or by their
    bytes, extract.looks_like_bulletin), in a stable order."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and looks_like_bulletin(f)))
        else:
            out.append(p)
    return out


def process_file(path: str | Path, rules: list[Rule] | None = None) -> Document:
    """Extract one file and run its checks (and the user's rules); never raises for a bad file."""
    doc = read_document(path)
    if doc.status != STATUS_FAILED:
        run_checks(doc, rules)
    return doc


def map_documents(paths: list[Path], workers: int | None = None, scheduler: str = "processes",
                  rules: list[Rule] | None = None) -> Iterator[Document]:
    """Documents in input order, processed serially, in local processes, or on a Dask cluster."""
    workers = workers or os.cpu_count() or 1
    work = partial(process_file, rules=rules)
    if scheduler == "dask":
        yield from _map_dask(paths, work)
    elif scheduler == "serial" or workers <= 1 or len(paths) < SERIAL_BELOW:
        yield from map(work, paths)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield from pool.map(work, paths, chunksize=max(1, len(paths) // (workers * 8)))


def _map_dask(paths: list[Path], work) -> Iterator[Document]:
    """Use the Dask client in scope (or DASK_SCHEDULER_ADDRESS); a local cluster otherwise."""
    try:
        from dask.distributed import Client, get_client
    except ImportError as exc:
        raise RuntimeError("the dask scheduler needs `pip install tongbao[dask]`") from exc
    try:
        client = get_client()
    except ValueError:
        address = os.environ.get("DASK_SCHEDULER_ADDRESS")
        client = Client(address) if address else Client(processes=True)
    futures = client.map(work, [str(p) for p in paths], pure=False)  # the same file twice is two documents
    for fut in futures:
        yield fut.result()


@dataclass
class Batch:
    """The documents of a run and the published tables built from them."""

    documents: list[Document]
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    duplicates: dict[Path, Path] = field(default_factory=dict)  # skipped file → the file with the same bytes

    def counts(self) -> dict[str, int]:
        findings = self.frames["findings"]
        out = {"documents": len(self.documents), "failed": sum(d.status == STATUS_FAILED for d in self.documents)}
        for name in ("tables", "cells", "figures", "entities"):
            out[name] = len(self.frames[name])
        for sev in ("error", "warning", "info"):
            out[sev] = int((findings["severity"] == sev).sum())
        return out


def run_batch(paths: Iterable[str | Path], workers: int | None = None, scheduler: str = "processes",
              aliases: str | Path | None = None, rules: str | Path | list[Rule] | None = None,
              pseudonymize_salt: str | None = None, indicator_aliases: str | Path | None = None) -> Batch:
    """Extract and check every file, run the checks across documents, then build the published tables
    (`aliases`: a department aliases CSV; `indicator_aliases`: an indicator aliases CSV or YAML)."""
    from .export.frames import build_frames
    from .normalize.entities import default_matcher
    from .normalize.indicators import IndicatorMatcher
    if isinstance(rules, (str, Path)):
        rules = load_rules(rules)
    if pseudonymize_salt is not None and not pseudonymize_salt:
        raise SaltError("pseudonyms need a secret salt: without one, anyone can hash a list of names and find who is who")
    files, duplicates = unique_contents(expand_paths(paths))
    docs = list(map_documents(files, workers, scheduler, rules))
    run_cross_document_checks(docs)
    if pseudonymize_salt is not None:
        pseudonymize_documents(docs, pseudonymize_salt)  # every text, before any table, file or report
    indicators = IndicatorMatcher(aliases=indicator_aliases) if indicator_aliases else None
    return Batch(docs, build_frames(docs, default_matcher(aliases), indicators), duplicates)


def extract(paths: Iterable[str | Path] | str | Path, **kwargs) -> dict[str, pd.DataFrame]:
    """The published tables (documents, tables, cells, figures, entities, observations, findings, checks)
    for some files or folders, as pandas DataFrames."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return run_batch(paths, **kwargs).frames


def audit_json(batch: Batch, exit_code: int) -> str:
    """The audit as JSON, for a publishing pipeline: every finding with its file, the failed files
    with their reasons, the counts, and the exit code the run gives."""
    import json

    paths = {d.doc_id: d.source_path for d in batch.documents}
    findings = batch.frames["findings"]
    rows = [{"file": paths.get(f["doc_id"]), "check": f["check"], "severity": f["severity"], "message": f["message"],
             "expected": _plain(f.get("expected")), "reported": _plain(f.get("reported")),
             "locations": json.loads(f["locations"]) if isinstance(f.get("locations"), str) and f["locations"] else []}
            for f in findings.to_dict("records")]
    failed = [{"file": d.source_path, "error": d.error} for d in batch.documents if d.status == STATUS_FAILED]
    return json.dumps({"exit_code": exit_code, "counts": batch.counts(), "failed": failed, "findings": rows},
                      ensure_ascii=False, indent=1)


def _plain(value):
    """A number for JSON: None for a missing one (NaN)."""
    return None if value is None or value != value else float(value)
