"""The `tongbao` command line: parses options, calls the library, prints. No logic of its own."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table as RichTable

from .check.rules import RuleError, load_rules
from .export.report import write_report
from .export.writers import FORMATS, write_tables
from .normalize.departments import read_names_file, write_crosswalk, write_review_queue
from .normalize.entities import default_matcher, mentioned_names
from .normalize.indicators import REVIEW_FILE as INDICATOR_REVIEW_FILE, write_indicator_review
from .options import BatchOptions, OptionError, check_batch_options
from .pipeline import audit_json, expand_paths, map_documents, run_batch

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn government-service bulletins (通报) into a dataset, and audit their numbers.")
console = Console()

# exit codes: 2 is click's for a usage error (a bad option), before any work
EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_SOME_FAILED, EXIT_ALL_FAILED = 0, 1, 2, 3, 4
FAIL_LEVELS = {"error": ("error",), "warning": ("error", "warning")}

Paths = Annotated[list[Path], typer.Argument(help="Files or folders of bulletins (.txt .pdf …).", exists=True)]
Workers = Annotated[Optional[int], typer.Option(help="Processes to use (default: all cores).")]
Scheduler = Annotated[str, typer.Option(help="processes, serial, or dask (uses DASK_SCHEDULER_ADDRESS or a local cluster).")]
Rules = Annotated[Optional[Path], typer.Option(help="YAML file of rules: formulas over named columns checked on every row.", exists=True)]
Aliases = Annotated[Optional[Path], typer.Option(help="CSV of raw,entity_id rows that override the department registry.")]
IndicatorAliases = Annotated[Optional[Path], typer.Option(help="CSV of indicator_raw,indicator_id rows (or YAML raw: id) that extend the indicator registry; a filled-in indicators_review.csv is one.")]


def _summary(batch) -> None:
    for dup, first in batch.duplicates.items():
        console.print(f"[dim]skipped {dup}: same bytes as {first}[/]")
    c = batch.counts()
    console.print(f"[bold]{c['documents']}[/] documents ({c['failed']} failed), {c['tables']} tables, {c['cells']} cells, "
                  f"{c['figures']} figures, {c['entities']} entities; findings: "
                  f"[red]{c['error']} error[/], [yellow]{c['warning']} warning[/], {c['info']} info")


def _options(workers: int | None, scheduler: str, out: Path | None = None, aliases: Path | None = None,
             indicator_aliases: Path | None = None) -> None:
    """The batch's options checked before any work (options.check_batch_options), as usage errors."""
    try:
        check_batch_options(BatchOptions(workers=workers, scheduler=scheduler, out=out, aliases=aliases,
                                         indicator_aliases=indicator_aliases))
    except OptionError as exc:
        raise typer.BadParameter(exc.message, param_hint=exc.option) from exc


def _failed_exit(batch) -> int | None:
    """EXIT_ALL_FAILED when no input could be read, EXIT_SOME_FAILED when some could not, else None."""
    failed = sum(d.status == "failed" for d in batch.documents)
    if failed and failed == len(batch.documents):
        return EXIT_ALL_FAILED
    return EXIT_SOME_FAILED if failed else None


def _failures(batch) -> None:
    for d in batch.documents:
        if d.status == "failed":
            console.print(f"[red]failed[/] {d.source_path}: {d.error}")


def _rules(path: Path | None):
    """Load a rule file, turning its mistakes into a usage error rather than a traceback."""
    if path is None:
        return None
    try:
        return load_rules(path)
    except RuleError as exc:
        raise typer.BadParameter(str(exc), param_hint="--rules") from exc


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
) -> None:
    """Extract every bulletin into the dataset tables, datapackage.json, report.html and the review queue of
    unknown indicators (indicators_review.csv) in OUT."""
    bad = [f for f in format if f not in FORMATS]
    if bad:
        raise typer.BadParameter(f"unknown format {bad[0]!r}; choose from {', '.join(FORMATS)}", param_hint="--format")
    _options(workers, scheduler, out, aliases, indicator_aliases)
    if pseudonymize_people and not salt:
        raise typer.BadParameter("give a secret --salt (or TONGBAO_SALT): pseudonyms without one can be reversed "
                                 "by hashing a list of names", param_hint="--salt")
    batch = run_batch(paths, workers=workers, scheduler=scheduler, aliases=aliases, rules=_rules(rules),
                      pseudonymize_salt=salt if pseudonymize_people else None, indicator_aliases=indicator_aliases)
    written = write_tables(batch.frames, out, tuple(dict.fromkeys(format)))
    write_report(batch.documents, out / "report.html")
    unknown = write_indicator_review(batch.frames["observations"], out / INDICATOR_REVIEW_FILE)
    _failures(batch)
    _summary(batch)
    console.print(f"wrote {len(written) + 2} files to {out}/; {unknown} unknown indicator labels to review in "
                  f"{out / INDICATOR_REVIEW_FILE} (fill in indicator_id, pass it back with --indicator-aliases)")
    code = _failed_exit(batch)
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
) -> None:
    """Print every finding; exit 0 when clean, 1 when findings reach --fail-on, 3 when some input could
    not be read, 4 when none could."""
    if fail_on not in FAIL_LEVELS:
        raise typer.BadParameter("choose error or warning", param_hint="--fail-on")
    _options(workers, scheduler, report.parent if report else None)
    batch = run_batch(paths, workers=workers, scheduler=scheduler, rules=_rules(rules))
    findings = batch.frames["findings"]
    docs = batch.frames["documents"].set_index("doc_id")
    if report:
        write_report(batch.documents, report)
    code = _failed_exit(batch)
    if code is None:
        code = EXIT_FINDINGS if findings["severity"].isin(FAIL_LEVELS[fail_on]).any() else EXIT_CLEAN
    if json_out:
        typer.echo(audit_json(batch, code))
        raise typer.Exit(code)
    table = RichTable(title="tongbao audit", show_lines=False)
    for col in ("file", "severity", "check", "message"):
        table.add_column(col, overflow="fold")
    order = {"error": 0, "warning": 1, "info": 2}
    for _, f in findings.sort_values("severity", key=lambda s: s.map(order)).iterrows():
        style = {"error": "red", "warning": "yellow"}.get(f["severity"], "dim")
        table.add_row(Path(docs.loc[f["doc_id"], "source_path"]).name, f"[{style}]{f['severity']}[/]", f["check"], f["message"])
    for d in batch.documents:
        if d.status == "failed":
            table.add_row(Path(d.source_path).name, "[red]failed[/]", "read", d.error or "")
    console.print(table)
    _summary(batch)
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
