"""The `tongbao` command line: parses options, calls the library, prints. No logic of its own."""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table as RichTable

from . import limits
from .export.formats import FORMATS
from .model import printable_path
from .options import BatchOptions, OptionError, check_batch_options
from .store import StoreBusy

# The rest of tongbao is imported inside the commands: a batch starts its worker processes first, so
# they warm up (PDFium, spaCy, the registries) while this process imports pandas and the library.

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn government-service bulletins (通报) into a dataset, and audit their numbers.")
console = Console()
err_console = Console(stderr=True)

# exit codes: 2 is click's for a usage error (a bad option), before any work
EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_SOME_FAILED, EXIT_ALL_FAILED = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130  # as a shell reports a program stopped by Ctrl-C
FAIL_LEVELS = {"error": ("error",), "warning": ("error", "warning")}

Paths = Annotated[list[Path], typer.Argument(help="Files or folders of bulletins (.txt .pdf …).", exists=True)]
Workers = Annotated[Optional[int], typer.Option(help="Processes to use (default: all cores).")]
Scheduler = Annotated[str, typer.Option(help="processes, serial, or dask (uses DASK_SCHEDULER_ADDRESS or a local cluster).")]
Rules = Annotated[Optional[Path], typer.Option(help="YAML file of rules: formulas over named columns checked on every row.", exists=True)]
Aliases = Annotated[Optional[Path], typer.Option(help="CSV of raw,entity_id rows that override the department registry.")]
IndicatorAliases = Annotated[Optional[Path], typer.Option(help="CSV of indicator_raw,indicator_id rows (or YAML raw: id) that extend the indicator registry; a filled-in indicators_review.csv is one.")]


Force = Annotated[bool, typer.Option("--force", help="Convert every file again, even those an earlier run into --out finished.")]
Timeout = Annotated[Optional[float], typer.Option(help=f"Seconds one file may take before it is stopped and marked failed (default {limits.TIMEOUT_SECONDS:g}).")]
MemoryLimit = Annotated[Optional[int], typer.Option("--memory-limit", help=f"Megabytes of memory one worker may use for a file (default {limits.MEMORY_MB}).")]


def _summary(result) -> None:
    for dup, first in result.duplicates.items():
        console.print(f"[dim]skipped {printable_path(dup)}: same bytes as {printable_path(first)}[/]")
    c = result.counts()
    redo = f"{result.converted} converted, {result.cached} already done" if result.cached else f"{result.converted} converted"
    console.print(f"[bold]{c['documents']}[/] documents ({redo}; {c['failed']} failed), {c['tables']} tables, {c['cells']} cells, "
                  f"{c['figures']} figures, {c['entities']} entities; findings: "
                  f"[red]{c['error']} error[/], [yellow]{c['warning']} warning[/], {c['info']} info")


def _options(workers: int | None, scheduler: str, out: Path | None = None, aliases: Path | None = None,
             timeout: float | None = None, memory_limit: int | None = None, indicator_aliases: Path | None = None) -> None:
    """The batch's options checked before any work (options.check_batch_options), as usage errors."""
    try:
        check_batch_options(BatchOptions(workers=workers, scheduler=scheduler, out=out, aliases=aliases,
                                         timeout=timeout, memory_mb=memory_limit, indicator_aliases=indicator_aliases))
    except OptionError as exc:
        raise typer.BadParameter(exc.message, param_hint=exc.option) from exc


def _failed_exit(result) -> int | None:
    """EXIT_ALL_FAILED when no input could be read, EXIT_SOME_FAILED when some could not, else None."""
    c = result.counts()
    if c["failed"] and c["failed"] == c["documents"]:
        return EXIT_ALL_FAILED
    return EXIT_SOME_FAILED if c["failed"] else None


def _failures(result) -> None:
    for path, reason in result.failed:
        console.print(f"[red]failed[/] {printable_path(path)}: {reason}")


def _rules(path: Path | None):
    """Load a rule file, turning its mistakes into a usage error rather than a traceback."""
    if path is None:
        return None
    from .check.rules import RuleError, load_rules

    try:
        return load_rules(path)
    except RuleError as exc:
        raise typer.BadParameter(str(exc), param_hint="--rules") from exc


class _Progress:
    """A progress bar with counts, rate and time left on a terminal; a plain line per file otherwise
    (a log, a CI job). Called by the library for each finished document."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.bar = None
        self.task = None

    def __enter__(self):
        if not self.quiet and err_console.is_terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), TextColumn("{task.fields[failed]}"),
                                console=err_console, transient=True)
            self.bar.__enter__()
            self.failed = 0
            self.started = time.monotonic()
        return self

    def __call__(self, p) -> None:
        if self.quiet:
            return
        if self.bar is None:
            state = "done before" if p.cached else p.status
            reason = f": {p.error}" if p.status == "failed" and p.error else ""
            err_console.print(f"[{p.done}/{p.total}] {state} {printable_path(p.path)}{reason}", highlight=False, soft_wrap=True)
            return
        if self.task is None:
            self.task = self.bar.add_task("converting", total=p.total, rate="", failed="")
        self.failed += p.status == "failed"
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.bar.update(self.task, completed=p.done, rate=f"{p.done / elapsed:.1f} files/s",
                        failed=f"[red]{self.failed} failed[/]" if self.failed else "")

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def _start_workers(scheduler: str) -> None:
    """Start the worker processes' forkserver now, so it warms up while this process imports the library."""
    if scheduler == "processes":
        from .workers import start_forkserver

        start_forkserver()


def _convert(paths, out: Path, formats, workers, scheduler, aliases, rules, salt, timeout, memory_limit, force, quiet=False,
             indicator_aliases=None):
    """convert_batch with progress; Ctrl-C stops it, keeping every finished document for a rerun."""
    from .pipeline import convert_batch

    try:
        with _Progress(quiet) as progress:
            return convert_batch(paths, out, formats, workers=workers, scheduler=scheduler, aliases=aliases,
                                 indicator_aliases=indicator_aliases,
                                 rules=rules, pseudonymize_salt=salt, force=force, on_progress=progress,
                                 limits=limits.Limits().with_(timeout_seconds=timeout, memory_mb=memory_limit))
    except StoreBusy as exc:
        err_console.print(f"[red]error[/]: {exc}")
        raise typer.Exit(EXIT_USAGE) from None
    except KeyboardInterrupt:
        err_console.print(f"[yellow]interrupted[/]: the documents finished so far are kept in {out}/.tongbao; "
                          "run the same command again to go on from there")
        raise typer.Exit(EXIT_INTERRUPTED) from None


@app.command()
def extract(
    paths: Paths,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("outputs"),
    format: Annotated[list[str], typer.Option("--format", "-f", help=f"One or more of: {', '.join(FORMATS)}.")] = ["parquet"],
    workers: Workers = None,
    scheduler: Scheduler = "processes",
    aliases: Aliases = None,
    indicator_aliases: IndicatorAliases = None,
    rules: Rules = None,
    pseudonymize_people: Annotated[bool, typer.Option("--pseudonymize-people", help="Replace every person's name in every output with a stable pseudonym (needs --salt).")] = False,
    salt: Annotated[str, typer.Option(envvar="TONGBAO_SALT", help="Secret mixed into pseudonyms; keep it to link them across runs.")] = "",
    force: Force = False,
    timeout: Timeout = None,
    memory_limit: MemoryLimit = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or line per file.")] = False,
) -> None:
    """Extract every bulletin into the dataset tables, datapackage.json, report.html and the review queue of
    unknown indicators (indicators_review.csv) in OUT; a rerun converts only new or changed files."""
    bad = [f for f in format if f not in FORMATS]
    if bad:
        raise typer.BadParameter(f"unknown format {bad[0]!r}; choose from {', '.join(FORMATS)}", param_hint="--format")
    _options(workers, scheduler, out, aliases, timeout, memory_limit, indicator_aliases)
    _start_workers(scheduler)
    if pseudonymize_people and not salt:
        raise typer.BadParameter("give a secret --salt (or TONGBAO_SALT): pseudonyms without one can be reversed "
                                 "by hashing a list of names", param_hint="--salt")
    result = _convert(paths, out, tuple(dict.fromkeys(format)), workers, scheduler, aliases, _rules(rules),
                      salt if pseudonymize_people else None, timeout, memory_limit, force, quiet, indicator_aliases)
    _failures(result)
    _summary(result)
    console.print(f"outputs in {out}/ were already up to date" if result.unchanged else
                  f"wrote {len(result.merged.written)} files to {out}/")
    unknown = result.merged.counts.get("unknown_indicators", 0)
    if unknown:
        from .normalize.indicators import REVIEW_FILE as INDICATOR_REVIEW_FILE

        console.print(f"{unknown} unknown indicator labels to review in {out / INDICATOR_REVIEW_FILE} "
                      "(fill in indicator_id, pass it back with --indicator-aliases)")
    code = _failed_exit(result)
    if code is not None:
        raise typer.Exit(code)


@app.command()
def audit(
    paths: Paths,
    report: Annotated[Optional[Path], typer.Option(help="Also write an HTML report here.")] = None,
    fail_on: Annotated[str, typer.Option(help="Exit 1 on findings at this level or worse: error or warning.")] = "error",
    workers: Workers = None,
    scheduler: Scheduler = "processes",
    rules: Rules = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the findings and the failed files as JSON instead of a table.")] = False,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Keep the converted documents (and the dataset) here, so a rerun redoes only what changed.")] = None,
    timeout: Timeout = None,
    memory_limit: MemoryLimit = None,
) -> None:
    """Print every finding; exit 0 when clean, 1 when findings reach --fail-on, 3 when some input could
    not be read, 4 when none could."""
    if fail_on not in FAIL_LEVELS:
        raise typer.BadParameter("choose error or warning", param_hint="--fail-on")
    import pandas as pd

    from .pipeline import audit_json
    _options(workers, scheduler, out or (report.parent if report else None), None, timeout, memory_limit)
    _start_workers(scheduler)
    with tempfile.TemporaryDirectory(prefix="tongbao-audit-") as tmp:
        where = out or Path(tmp)
        result = _convert(paths, where, ("parquet",), workers, scheduler, None, _rules(rules), None, timeout,
                          memory_limit, False, quiet=json_out)
        findings = pd.read_parquet(where / "findings.parquet")
        docs = pd.read_parquet(where / "documents.parquet")
        if report:
            shutil.copyfile(where / "report.html", report)
    code = _failed_exit(result)
    if code is None:
        code = EXIT_FINDINGS if findings["severity"].isin(FAIL_LEVELS[fail_on]).any() else EXIT_CLEAN
    if json_out:
        typer.echo(audit_json(docs, findings, result.counts(), code))
        raise typer.Exit(code)
    paths_by_id = docs.set_index("doc_id")["source_path"]
    table = RichTable(title="tongbao audit", show_lines=False)
    for col in ("file", "severity", "check", "message"):
        table.add_column(col, overflow="fold")
    order = {"error": 0, "warning": 1, "info": 2}
    for _, f in findings.sort_values("severity", key=lambda s: s.map(order)).iterrows():
        style = {"error": "red", "warning": "yellow"}.get(f["severity"], "dim")
        table.add_row(Path(paths_by_id[f["doc_id"]]).name, f"[{style}]{f['severity']}[/]", f["check"], f["message"])
    for path, reason in result.failed:
        table.add_row(printable_path(Path(path).name), "[red]failed[/]", "read", reason or "")
    console.print(table)
    _summary(result)
    if report:
        console.print(f"report: {report}")
    raise typer.Exit(code)


@app.command()
def match(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Bulletins whose department names to match.", exists=True)] = None,
    names: Annotated[Optional[Path], typer.Option(help="A plain list of names instead: CSV/TSV with a `raw` (and optional `city`) column, or one name a line.", exists=True)] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the crosswalk (the entities columns).")] = Path("outputs/crosswalk.csv"),
    review: Annotated[Optional[Path], typer.Option(help="Where to write the review queue (default: beside --out).")] = None,
    aliases: Aliases = None,
    workers: Workers = None,
    scheduler: Scheduler = "processes",
) -> None:
    """Match department names to the registry: print the crosswalk, write it and a review queue of uncertain names."""
    if not paths and names is None:
        raise typer.BadParameter("give bulletin PATHS or --names FILE")
    _options(workers, scheduler, out.parent, aliases)
    from .normalize.departments import read_names_file, write_crosswalk, write_review_queue
    from .normalize.entities import default_matcher, mentioned_names
    from .pipeline import expand_paths, map_documents

    matcher = default_matcher(aliases)
    if names is not None:
        pairs = read_names_file(names)
    else:
        pairs = mentioned_names(list(map_documents(expand_paths(paths), workers, scheduler)))
    matches = matcher.match_many([raw for raw, _ in pairs], [city for _, city in pairs])
    review = review or out.with_name(out.stem + "_review.csv")
    write_crosswalk(matches, out)
    write_review_queue(matches, review)
    table = RichTable(title="department crosswalk")
    for col in ("raw", "city", "level", "id", "canonical", "score", "method", "review"):
        table.add_column(col, overflow="fold")
    for m in matches:
        table.add_row(m.entity_raw, m.city or "", m.level or "", m.entity_id or "", m.canonical_name or "", f"{m.score:.0f}",
                      m.method, "[yellow]review[/]" if m.needs_review else "")
    console.print(table)
    uncertain = sum(m.needs_review for m in matches)
    console.print(f"{len(matches)} names, {uncertain} to review; crosswalk: {out}; review queue: {review}")


def main() -> None:  # pragma: no cover - console script entry
    app()
