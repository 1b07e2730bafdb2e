"""`--pseudonymize-people`: no person's name anywhere in what a run writes — Parquet, CSV, the DuckDB
file, datapackage.json, the report — for the seeds and the development set; and never without a salt."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from tongbao.cli import app
from tongbao.pipeline import run_batch
from tongbao.privacy import SaltError, people

ROOT = Path(__file__).resolve().parent.parent
INPUTS = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "tests" / "data" / "devset").glob("[0-9][0-9][0-9].txt"))
SALT = "测试用的盐-not-a-real-secret"


@pytest.fixture(scope="module")
def names() -> set[str]:
    """The people the inputs name, as an ordinary run finds them."""
    found = people(run_batch(INPUTS, workers=1, scheduler="serial").documents)
    assert len(found) >= 3, found
    return found


def _strings_in_files(out: Path) -> str:
    """Every text the run wrote: text files as they are, Parquet and DuckDB tables cell by cell, and the
    finished documents kept for a rerun in OUT/.tongbao (their tables, summaries and pickled documents)."""
    import json
    import pickle

    from tongbao.privacy import _walk

    parts = [p.read_text(encoding="utf-8-sig") for p in out.iterdir() if p.suffix in (".csv", ".json", ".html")]
    from tongbao.store import TABLE_SUFFIX, decode_table

    for p in out.glob("*.parquet"):
        parts.append(pd.read_parquet(p).astype(str).to_csv(index=False))
    stored = list(out.glob(f".tongbao/parts/*/*{TABLE_SUFFIX}"))
    assert stored  # the parts' own tables are searched too
    for p in stored:
        parts.append(decode_table(p).to_pandas().astype(str).to_csv(index=False))
    for p in out.glob(".tongbao/parts/*/summary.json"):
        parts.append(json.dumps(json.loads(p.read_text()), ensure_ascii=False))
    for p in out.glob(".tongbao/parts/*/document.pickle"):
        texts = []
        _walk(pickle.loads(p.read_bytes()), lambda t: texts.append(t) or t, set())
        parts.append("\n".join(texts))
    assert len(list(out.glob(".tongbao/parts/*/document.pickle"))) >= len(INPUTS) - 1
    con = duckdb.connect(str(out / "tongbao.duckdb"), read_only=True)
    try:
        for (table,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
            parts.append(con.execute(f'SELECT * FROM "{table}"').df().astype(str).to_csv(index=False))
    finally:
        con.close()
    return "\n".join(parts)


def test_no_replaced_name_in_any_output(tmp_path, names):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["extract", *map(str, INPUTS), "--out", str(out), "-f", "parquet", "-f", "csv",
                                      "-f", "duckdb", "--pseudonymize-people", "--salt", SALT, "--scheduler", "serial"])
    assert result.exit_code == 0, result.output
    written = _strings_in_files(out)
    assert not [n for n in names if n in written]
    assert "人员-" in written  # the pseudonyms stand where the names were
    mentions = pd.read_parquet(out / "mentions.parquet")
    assert mentions["person"].str.startswith("人员-").all()


def test_pseudonyms_need_a_salt(tmp_path):
    result = CliRunner().invoke(app, ["extract", str(INPUTS[0]), "--out", str(tmp_path / "o"), "--pseudonymize-people"])
    assert result.exit_code == 2 and not (tmp_path / "o").exists()
    with pytest.raises(SaltError):
        run_batch(INPUTS[:1], workers=1, scheduler="serial", pseudonymize_salt="")
