"""Batches of many files: streamed to disk, resumable after Ctrl-C or kill -9, every bad file a
`failed` row with its reason, workers that time out or die replaced, outputs one consistent set."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tongbao.cli import EXIT_INTERRUPTED, EXIT_SOME_FAILED, app
from tongbao.export.schemas import TABLES, load_schema
from tongbao.limits import Limits
from tongbao.pipeline import convert_batch, run_batch
from tongbao.render.bombs import write_bombs
from tongbao.render.hostile import write_hostile_pdfs, write_hostile_texts
from tongbao.store import STORE_DIR, PartStore
from tongbao.workers import Lost, supervised_map

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "data" / "devset"
SEEDS_TXT = sorted((ROOT / "corpus").glob("*.txt"))
TONGBAO = Path(sys.executable).parent / "tongbao"
runner = CliRunner()


def dataset(out: Path) -> dict[str, pd.DataFrame]:
    """Every published table of a run, in a stable order (by its primary key, else all columns)."""
    frames = {}
    for name in TABLES:
        df = pd.read_parquet(out / f"{name}.parquet")
        key = load_schema(name).get("primaryKey") or list(df.columns)
        frames[name] = df.sort_values(key, kind="stable").reset_index(drop=True)
    return frames


def assert_same_dataset(a: Path, b: Path) -> None:
    left, right = dataset(a), dataset(b)
    for name in TABLES:
        pd.testing.assert_frame_equal(left[name], right[name], check_like=False, obj=name)
    assert (a / "report.html").read_text(encoding="utf-8") == (b / "report.html").read_text(encoding="utf-8")


def no_temporary_files(out: Path) -> list[Path]:
    """Anything a half-finished write would leave: staging folders, temporary parts, *.tmp files."""
    return [p for p in out.rglob("*") if p.name.startswith(".") and p.name != STORE_DIR or p.suffix == ".tmp"]


@pytest.fixture(scope="module")
def small_batch(tmp_path_factory) -> Path:
    """The development set's text, HTML and DOCX files (30 documents from elsewhere) plus the seeds."""
    folder = tmp_path_factory.mktemp("batch")
    for f in sorted(DEVSET.glob("00[1-6].*")):
        if f.suffix in (".txt", ".html", ".docx"):
            shutil.copy(f, folder / f.name)
    for f in SEEDS_TXT:
        shutil.copy(f, folder / f.name)
    return folder


@pytest.fixture(scope="module")
def clean_run(small_batch, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    convert_batch([small_batch], out, workers=2)
    return out


def test_streamed_dataset_equals_the_batch_held_in_memory(small_batch, clean_run, tmp_path):
    """convert_batch (parts on disk, merged one by one) writes the very tables run_batch builds in memory."""
    from tongbao.export.writers import write_tables

    write_tables(run_batch([small_batch], scheduler="serial").frames, tmp_path)
    left, right = dataset(clean_run), dataset(tmp_path)
    for name in TABLES:
        pd.testing.assert_frame_equal(left[name], right[name], obj=name)


def test_dates_and_integers_are_typed(clean_run):
    import duckdb
    import pyarrow.parquet as pq

    schema = pq.read_schema(clean_run / "documents.parquet")
    assert str(schema.field("issue_date").type) == "date32[day]"
    assert str(schema.field("n_pages").type) == "int64"
    out = clean_run.parent / "typed-duckdb"
    convert_batch(SEEDS_TXT[:1], out, formats=("duckdb", "csv"), workers=1)
    con = duckdb.connect(str(out / "tongbao.duckdb"), read_only=True)
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'documents'").fetchall())
    assert types["issue_date"] == "DATE" and types["n_pages"] == "BIGINT"
    cells = pd.read_csv(out / "cells.csv", encoding="utf-8-sig", dtype=str)
    assert not cells["value"].dropna().str.endswith(".0").any()  # a count is 100884, not 100884.0


def test_rerun_redoes_nothing_and_a_changed_file_only_that_file(small_batch, clean_run, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(small_batch, tmp_path / "in")
    first = convert_batch([tmp_path / "in"], out, workers=2)
    again = convert_batch([tmp_path / "in"], out, workers=2)
    assert again.converted == 0 and again.cached == first.converted and again.unchanged
    assert again.counts() == first.counts()
    changed = tmp_path / "in" / SEEDS_TXT[0].name
    changed.write_text(changed.read_text(encoding="utf-8").replace("通报", "通报 ", 1), encoding="utf-8")
    third = convert_batch([tmp_path / "in"], out, workers=2)
    assert third.converted == 1 and not third.unchanged
    assert convert_batch([tmp_path / "in"], out, workers=2, force=True).converted == first.converted


def test_options_that_change_results_are_part_of_the_key(tmp_path):
    out = tmp_path / "out"
    convert_batch(SEEDS_TXT[:1], out, workers=1)
    assert convert_batch(SEEDS_TXT[:1], out, workers=1, pseudonymize_salt="s3cret").converted == 1
    assert convert_batch(SEEDS_TXT[:1], out, workers=1, limits=Limits(pages=10)).converted == 1


def test_outputs_describe_one_set_of_documents(tmp_path):
    """A parquet-only run into a folder that held CSV and DuckDB of other documents removes them."""
    out = tmp_path / "out"
    convert_batch(SEEDS_TXT, out, formats=("parquet", "csv", "duckdb"), workers=1)
    assert (out / "cells.csv").exists() and (out / "tongbao.duckdb").exists()
    convert_batch(SEEDS_TXT[:1], out, formats=("parquet",), workers=1)
    assert [p.name for p in out.glob("*.csv")] == ["indicators_review.csv"]  # the review queue is CSV in every run
    assert not (out / "tongbao.duckdb").exists()
    assert len(pd.read_parquet(out / "documents.parquet")) == 1
    import json
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["format"] for r in package["resources"]} == {"parquet"}


def test_supervisor_replaces_workers_that_time_out_die_or_run_out_of_memory():
    """Stdlib functions as tasks: time.sleep overruns, os._exit kills its worker, bytearray a huge
    allocation under the ceiling; the items after each still finish."""
    slow = dict(supervised_map(time.sleep, [0.01, 30, 0.01], workers=2, timeout=2))
    assert isinstance(slow[1], Lost) and "timed out" in slow[1].reason and slow[0] is None and slow[2] is None
    died = dict(supervised_map(os._exit, [3], workers=1))
    assert isinstance(died[0], Lost) and "exited with code 3" in died[0].reason
    hungry = dict(supervised_map(bytearray, [4 << 30, 10], workers=1, memory_mb=512))
    assert isinstance(hungry[0], Lost) and "memory" in hungry[0].reason
    assert hungry[1] == bytearray(10)


def test_workers_that_cannot_start_fail_every_file_and_lose_none(tmp_path):
    """A script without the `if __name__ == "__main__"` guard: every worker dies while starting (it
    re-runs the script), so each file becomes a failed row saying so, and the batch still merges."""
    names = [f"{c}.txt" for c in "abcd"]
    for name in names:
        (tmp_path / name).write_text(SEEDS_TXT[0].read_text(encoding="utf-8") + name, encoding="utf-8")
    script = tmp_path / "unguarded.py"
    paths = [str(tmp_path / n) for n in names]
    script.write_text("from tongbao.pipeline import convert_batch\n"
                      f"r = convert_batch({paths!r}, {str(tmp_path / 'out')!r}, workers=1)\n"
                      "print('FAILED', len(r.failed), [reason for _p, reason in r.failed])\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("FAILED"))
    assert line.startswith(f"FAILED {len(names)} ") and "exited with code 1" in line, line
    assert len(pd.read_parquet(tmp_path / "out" / "documents.parquet")) == len(names)


def test_hostile_corpus_in_one_batch_with_good_files(tmp_path):
    """Bombs, stalls, broken and encrypted files and an odd name beside good bulletins: each bad file a
    failed row with its reason, the good files' rows as in a clean run of them alone, exit code 3."""
    folder = tmp_path / "in"
    bombs = write_bombs(folder)
    pdfs = write_hostile_pdfs(tmp_path / "pdfs")
    texts = write_hostile_texts(tmp_path / "texts")
    for name in ("truncated", "broken_xref", "encrypted", "zero_pages", "not_pdf"):
        shutil.copy(pdfs[name], folder / f"hostile_{name}.pdf")
    for name in ("empty", "binary"):
        shutil.copy(texts[name], folder / f"hostile_{name}.txt")
    good = tmp_path / "good"
    good.mkdir()
    for f in SEEDS_TXT[:2]:
        shutil.copy(f, folder / f.name)
        shutil.copy(f, good / f.name)
    shutil.copy(pdfs["good"], folder / "good.pdf")
    shutil.copy(pdfs["good"], good / "good.pdf")
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(folder), "--out", str(out), "--workers", "2", "--timeout", "120"])
    assert result.exit_code == EXIT_SOME_FAILED, result.output
    docs = pd.read_parquet(out / "documents.parquet")
    by_name = {Path(p).name: (s, e) for p, s, e in zip(docs["source_path"], docs["status"], docs["error"])}
    expected = {
        "huge_media_box.pdf": "page too large", "zip_bomb.docx": "too large when unzipped",
        "merged_bomb.xlsx": "merged ranges too large", "rowspan_bomb.html": "spans are expanded",
        "one_line.txt": "text too long", "page_tree_loop.pdf": "page 1 could not be read",
        "hostile_truncated.pdf": "PDF", "hostile_encrypted.pdf": "encrypted", "hostile_zero_pages.pdf": "no pages",
        "hostile_not_pdf.pdf": "", "hostile_empty.txt": "empty", "hostile_binary.txt": "",
    }
    for name, reason in expected.items():
        status, error = by_name[name]
        assert status == "failed" and error and reason in error, (name, status, error)
    assert by_name["wide_row.txt"][0] != "failed"  # a wide table is slow to check, not a bomb
    odd = [n for n in by_name if n.endswith("-not-utf8.txt")]
    assert odd == ["\\xff\\xfe-not-utf8.txt"] and by_name[odd[0]][0] != "failed"
    assert "failed" in result.output and "zip_bomb.docx" in result.output  # the summary names the failures
    clean = tmp_path / "clean"
    convert_batch([good], clean, workers=1)
    mine = set(pd.read_parquet(clean / "documents.parquet")["doc_id"])
    left, right = dataset(out), dataset(clean)
    for name in TABLES:
        if "doc_id" not in left[name].columns:
            continue
        rows = left[name][left[name]["doc_id"].isin(mine)].reset_index(drop=True)
        theirs = right[name].reset_index(drop=True)
        if name == "documents":
            rows, theirs = rows.drop(columns="source_path"), theirs.drop(columns="source_path")
        pd.testing.assert_frame_equal(rows, theirs, obj=name)


def test_progress_is_a_line_per_file_off_a_terminal(tmp_path):
    result = runner.invoke(app, ["extract", *map(str, SEEDS_TXT), "--out", str(tmp_path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert f"[1/{len(SEEDS_TXT)}]" in result.output and f"[{len(SEEDS_TXT)}/{len(SEEDS_TXT)}]" in result.output
    again = runner.invoke(app, ["extract", *map(str, SEEDS_TXT), "--out", str(tmp_path), "--workers", "1"])
    assert "done before" in again.output and "already up to date" in again.output


def _parts(out: Path) -> int:
    parts = out / STORE_DIR / "parts"
    return sum(1 for p in parts.iterdir() if not p.name.startswith(".")) if parts.is_dir() else 0


def _start(folder: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([str(TONGBAO), "extract", str(folder), "--out", str(out), "--workers", "2", "-q",
                             "-f", "parquet", "-f", "csv"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_when(proc: subprocess.Popen, ready, sig=signal.SIGKILL, timeout: float = 240) -> bool:
    """Send `sig` as soon as `ready()` holds; False when the run ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if ready():
            proc.send_signal(sig)
            proc.wait(timeout=60)
            return True
        time.sleep(0.02)
    proc.kill()
    raise AssertionError("the run neither finished nor reached the point to kill it")


@pytest.mark.parametrize("point", ["first part", "half the parts", "merging"])
def test_kill_9_then_rerun_gives_the_clean_result(small_batch, clean_run, tmp_path, point):
    out = tmp_path / "out"
    total = len(list(small_batch.iterdir()))
    ready = {"first part": lambda: _parts(out) >= 1,
             "half the parts": lambda: _parts(out) >= total // 2,
             "merging": lambda: any((out / STORE_DIR).glob(".staging-*"))}[point]
    proc = _start(small_batch, out)
    killed = _kill_when(proc, ready)
    kept = _parts(out)
    result = convert_batch([small_batch], out, formats=("parquet", "csv"), workers=2)
    if killed:
        assert result.converted == total - kept  # the finished documents are not redone
    assert no_temporary_files(out) == []
    assert_same_dataset(out, clean_run)


def test_ctrl_c_keeps_finished_documents_and_says_how_to_go_on(small_batch, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen([str(TONGBAO), "extract", str(small_batch), "--out", str(out), "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while _parts(out) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if proc.poll() is not None:
        pytest.skip("the batch finished before it could be interrupted")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_INTERRUPTED
    assert "interrupted" in err and "again" in err
    kept = _parts(out)
    assert kept >= 2
    result = convert_batch([small_batch], out, workers=2)
    assert result.cached >= kept


def test_a_second_run_into_the_same_folder_stops_at_once(tmp_path):
    from tongbao.store import StoreBusy

    with PartStore(tmp_path).locked():
        with pytest.raises(StoreBusy, match="another tongbao run"):
            convert_batch(SEEDS_TXT[:1], tmp_path, workers=1)
        result = runner.invoke(app, ["extract", str(SEEDS_TXT[0]), "--out", str(tmp_path)])
        assert result.exit_code == 2 and "another tongbao run" in result.output
