"""Run one document through the stages, and map a batch of files over an executor.

Documents are independent, so a batch is a map (serial, local processes, or a Dask cluster)
followed by one cheap merge into the published tables.
"""
from __future__ import annotations

import hashlib
import os
from functools import partial
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .check import run_checks
from .check.growth import run_cross_document_checks
from .check.rules import Rule, load_rules
from .extract import looks_like_bulletin, read_document
from .limits import Limits
from .model import STATUS_FAILED, Document, printable_path
from .privacy import SaltError, pseudonymize_documents

SERIAL_BELOW = 4  # batches smaller than this are not worth starting processes for


def unique_contents(paths: list[Path]) -> tuple[list[tuple[Path, str]], dict[Path, Path]]:
    """(file, sha256 of its bytes) for files with distinct bytes, and each duplicate mapped to the
    first file with the same bytes; an unreadable file gets the hash of its path (its reader says why).

    doc_id is the sha256 of the bytes, so two copies of one bulletin are one document."""
    from .store import file_digest

    seen: dict[str, Path] = {}
    duplicates: dict[Path, Path] = {}
    unique = []
    for p in paths:
        digest = file_digest(p) or hashlib.sha256(os.fsencode(p)).hexdigest()
        if digest in seen:
            duplicates[p] = seen[digest]
        else:
            seen[digest] = p
            unique.append((p, digest))
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
    unique, duplicates = unique_contents(expand_paths(paths))
    files = [p for p, _ in unique]
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


@dataclass
class Progress:
    """One finished document, as a progress bar or a log line shows it."""

    done: int
    total: int
    path: str
    status: str
    error: str | None
    cached: bool  # finished by an earlier run, not redone


@dataclass
class BatchResult:
    """A batch converted into OUT: what was written, the counts, and which files failed and why."""

    out: Path
    merged: "object"
    duplicates: dict[Path, Path]
    converted: int  # documents read in this run
    cached: int  # documents an earlier run had finished
    unchanged: bool = False  # nothing to do: the outputs already describe these files

    def counts(self) -> dict[str, int]:
        return self.merged.counts

    @property
    def failed(self) -> list[tuple[str, str]]:
        return self.merged.failed


def convert_batch(paths: Iterable[str | Path], out: str | Path, formats: tuple[str, ...] = ("parquet",),
                  workers: int | None = None, scheduler: str = "processes", aliases: str | Path | None = None,
                  indicator_aliases: str | Path | None = None,
                  rules: str | Path | list[Rule] | None = None, pseudonymize_salt: str | None = None,
                  limits: Limits | None = None, force: bool = False, report: bool = True,
                  on_progress: Callable[[Progress], None] | None = None) -> BatchResult:
    """Convert files or folders into the dataset in OUT, streaming: each document is stored as it
    finishes (OUT/.tongbao), a rerun converts only new or changed files (`force`: all), an
    interrupted run resumes, and the outputs are merged from what is stored."""
    from .convert import Settings
    from .store import PartStore

    if isinstance(rules, (str, Path)):
        rules = load_rules(rules)
    if pseudonymize_salt is not None and not pseudonymize_salt:
        raise SaltError("pseudonyms need a secret salt: without one, anyone can hash a list of names and find who is who")
    out = Path(out)
    settings = Settings(rules=tuple(rules) if rules is not None else None, aliases=str(aliases) if aliases else None,
                        indicator_aliases=str(indicator_aliases) if indicator_aliases else None,
                        salt=pseudonymize_salt, limits=limits or Limits())
    store = PartStore(out)
    with store.locked():
        store.clean_temporary()
        return _convert_locked(store, paths, out, formats, settings, workers, scheduler, force, report, on_progress)


def _convert_locked(store, paths, out: Path, formats, settings, workers, scheduler, force: bool, report: bool,
                    on_progress) -> BatchResult:
    from .merge import Entry, merge_parts
    from .store import part_key

    options = settings.fingerprint()
    unique, duplicates = unique_contents(expand_paths(paths))
    entries = [Entry(str(p), digest, part_key(digest, options)) for p, digest in unique]
    todo = [e for e in entries if force or not store.has(e.key)]
    cached = len(entries) - len(todo)
    done = 0
    if on_progress:
        redo = {e.key for e in todo}
        for e in entries:
            if e.key not in redo:
                done += 1
                s = store.summary(e.key)
                on_progress(Progress(done, len(entries), e.path, s["status"], s["error"], True))
    run = {"keys": [e.key for e in entries], "paths": [printable_path(e.path) for e in entries], "formats": list(formats),
           "report": report}
    last = store.last_run() or {}
    if not todo and not force and {k: last.get(k) for k in run} == run and _outputs_exist(out, formats, report):
        from .merge import Merged

        merged = Merged(rows=last["rows"], counts=last["counts"], failed=[tuple(f) for f in last["failed"]])
        return BatchResult(out, merged, duplicates, 0, cached, unchanged=True)
    for entry, converted in _convert_all(todo, settings, workers, scheduler):
        store.write(entry.key, converted.payload)
        done += 1
        if on_progress:
            on_progress(Progress(done, len(entries), entry.path, converted.status, converted.error, False))
    merged = merge_parts(store, entries, out, tuple(formats), settings, report=report)
    store.record_run({**run, "rows": merged.rows, "counts": merged.counts,
                      "failed": [(printable_path(p), r) for p, r in merged.failed]})
    return BatchResult(out, merged, duplicates, len(todo), cached)


def _outputs_exist(out: Path, formats, report: bool) -> bool:
    from .export.schemas import TABLES
    from .export.writers import DERIVED, DUCKDB_FILE

    from .normalize.indicators import REVIEW_FILE

    files = [out / "datapackage.json", out / REVIEW_FILE] + ([out / "report.html"] if report else [])
    for fmt in formats:
        files += [out / DUCKDB_FILE] if fmt == "duckdb" else [out / f"{n}.{fmt}" for n in (*TABLES, *DERIVED)]
    return all(f.is_file() for f in files)


def _convert_all(entries, settings, workers: int | None, scheduler: str):
    """(entry, Converted) for every entry as it finishes: in supervised worker processes (each file
    under its timeout and memory ceiling), in this process, or on a Dask cluster."""
    from .convert import convert_file, failed_part
    from .workers import Lost, cpu_count, in_process_map, supervised_map

    paths = [e.path for e in entries]
    work = partial(convert_file, settings=settings)
    if scheduler == "dask":
        results = _map_dask_indexed(paths, work)
    elif scheduler == "serial":
        results = in_process_map(work, paths)
    else:
        results = supervised_map(work, paths, workers or cpu_count(), timeout=settings.limits.timeout_seconds,
                                 memory_mb=settings.limits.memory_mb)
    for index, result in results:
        entry = entries[index]
        if isinstance(result, Lost):
            result = failed_part(entry.path, entry.doc_id, result.reason)
        yield entry, result


def _map_dask_indexed(paths: list[str], work):
    for i, doc in enumerate(_map_dask(paths, work)):
        yield i, doc


def audit_json(documents: pd.DataFrame, findings: pd.DataFrame, counts: dict, exit_code: int) -> str:
    """The audit as JSON, for a publishing pipeline: every finding with its file, the failed files
    with their reasons, the counts, and the exit code the run gives."""
    import json

    paths = dict(zip(documents["doc_id"], documents["source_path"]))
    rows = [{"file": paths.get(f["doc_id"]), "check": f["check"], "severity": f["severity"], "message": f["message"],
             "expected": _plain(f.get("expected")), "reported": _plain(f.get("reported")),
             "locations": json.loads(f["locations"]) if isinstance(f.get("locations"), str) and f["locations"] else []}
            for f in findings.to_dict("records")]
    failed = [{"file": d["source_path"], "error": d["error"]} for d in documents.to_dict("records") if d["status"] == STATUS_FAILED]
    return json.dumps({"exit_code": exit_code, "counts": counts, "failed": failed, "findings": rows},
                      ensure_ascii=False, indent=1)


def _plain(value):
    """A number for JSON: None for a missing one (NaN)."""
    return None if value is None or value != value else float(value)
