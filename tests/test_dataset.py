"""The dataset as a researcher gets it: valid Frictionless data in every format, typed, and a panel of
one row per (region, entity type, indicator, period) that folds equal observations together and
says so when they disagree."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tongbao.pipeline import convert_batch

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "data" / "devset"
KEY = ["region", "entity_type", "indicator_id", "period_label"]


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("in")
    for f in [*sorted(DEVSET.glob("00[1-4].txt")), *sorted(DEVSET.glob("00[1-4].html")), *sorted((ROOT / "corpus").glob("*.txt"))]:
        shutil.copy(f, folder / f.name)
    out = tmp_path_factory.mktemp("out")
    convert_batch([folder], out, formats=("parquet", "csv", "duckdb"), workers=2)
    return out


def test_frictionless_validates_every_table_in_parquet_and_csv(out):
    from frictionless import validate

    report = validate(out / "datapackage.json")
    assert report.valid, report.flatten(["taskName", "type", "fieldName", "note"])[:10]
    names = {t.name for t in report.tasks}
    assert {"documents-parquet", "documents-csv", "panel-parquet", "panel-csv", "observations-csv"} <= names
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    documents = next(r for r in package["resources"] if r["name"] == "documents-parquet")
    assert {f["name"]: f["type"] for f in documents["schema"]["fields"]}["issue_date"] == "date"


def test_panel_folded_in_small_runs_of_keys_is_the_same_panel(out, tmp_path, monkeypatch):
    from tongbao.export import panel as panel_module

    for name in ("observations", "entities"):
        shutil.copy(out / f"{name}.parquet", tmp_path / f"{name}.parquet")
    monkeypatch.setattr(panel_module, "PANEL_CHUNK_ROWS", 3)  # a run per key prefix or two
    runs = []
    chunks = panel_module._chunks
    monkeypatch.setattr(panel_module, "_chunks", lambda prefixes, limit: runs.append(chunks(prefixes, limit)) or runs[-1])
    assert panel_module.write_panel(tmp_path, ("parquet",)) == ["panel.parquet"]
    assert len(runs[0]) > 3  # folded in several queries
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "panel.parquet"), pd.read_parquet(out / "panel.parquet"))


def test_key_runs_never_split_a_prefix_and_keep_the_order():
    from tongbao.export.panel import _chunks

    prefixes = [("a", "x", "i1", 4), ("a", "x", "i2", 9), ("a", "y", "i1", 1), ("b", "x", "i1", 2), ("b", "x", "i3", 30)]
    runs = _chunks(prefixes, limit=5)
    assert [k for run in runs for k in run] == [p[:3] for p in prefixes]
    assert runs == [[("a", "x", "i1")], [("a", "x", "i2")], [("a", "y", "i1"), ("b", "x", "i1")], [("b", "x", "i3")]]


def test_every_document_has_its_city(out):
    docs = pd.read_parquet(out / "documents.parquet")
    assert docs["city"].notna().all(), docs.loc[docs["city"].isna(), "source_path"].tolist()


def test_panel_key_holds(out):
    panel = pd.read_parquet(out / "panel.parquet")
    assert len(panel) > 50 and not panel.duplicated(KEY).any()
    assert panel[KEY].notna().all().all()
    provenance = panel["provenance"].map(json.loads)
    assert (provenance.map(len) == panel["n_observations"]).all()
    agreed = panel[~panel["conflict"]]
    assert agreed["value"].notna().all()
    assert panel.loc[panel["conflict"], "value"].isna().all()
    con = duckdb.connect(str(out / "tongbao.duckdb"), read_only=True)
    view = con.execute("SELECT * FROM panel").df()
    pd.testing.assert_frame_equal(view.sort_values(KEY).reset_index(drop=True)[KEY + ["value", "conflict"]],
                                  panel.sort_values(KEY).reset_index(drop=True)[KEY + ["value", "conflict"]])


def test_formats_of_one_bulletin_fold_into_the_same_rows(tmp_path):
    """The txt and the HTML of a bulletin are one source twice: the same keys and values as the txt
    alone, each from two documents, and no conflict the txt alone does not have."""
    alone, both = tmp_path / "alone", tmp_path / "both"
    convert_batch([DEVSET / "001.txt"], alone, workers=1)
    convert_batch([DEVSET / "001.txt", DEVSET / "001.html"], both, workers=1)
    a = pd.read_parquet(alone / "panel.parquet").set_index(KEY).sort_index()
    b = pd.read_parquet(both / "panel.parquet").set_index(KEY).sort_index()
    assert a.index.equals(b.index) and len(a) > 10
    pd.testing.assert_series_equal(a["value"], b["value"])
    pd.testing.assert_series_equal(a["conflict"], b["conflict"])
    assert (b["n_documents"] == 2).all() and (b["n_observations"] == 2 * a["n_observations"]).all()


def test_a_disagreement_between_two_bulletins_is_shown_not_picked(tmp_path):
    """Two copies of one bulletin where one table number differs: that key's value is empty, its
    conflict flagged with both values; every other key agrees."""
    source = DEVSET / "002.txt"
    text = source.read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    convert_batch([source], clean, workers=1)
    panel = pd.read_parquet(clean / "panel.parquet")
    obs = pd.read_parquet(clean / "observations.parquet")
    candidates = obs[(obs["source"] == "cell") & obs["indicator_id"].notna() & obs["region"].notna()
                     & (obs["value"] > 1000) & ~obs["unsure"]].copy()
    candidates["entity_type"] = candidates["entity_id"].fillna("all")
    agreed = panel.loc[~panel["conflict"] & (panel["n_observations"] == 1), KEY]
    cell = candidates.merge(agreed, on=KEY).iloc[0]  # a key one cell alone gives
    printed = f"{int(cell['value'])}"
    assert text.count(printed) >= 1
    changed = tmp_path / "in" / "002-copy.txt"
    changed.parent.mkdir()
    changed.write_text(text.replace(printed, str(int(cell["value"]) + 7), 1), encoding="utf-8")
    shutil.copy(source, tmp_path / "in" / "002.txt")
    both = tmp_path / "both"
    convert_batch([tmp_path / "in"], both, workers=1)
    merged = pd.read_parquet(both / "panel.parquet").set_index(KEY)
    row = merged.loc[tuple(cell[k] for k in KEY)]
    assert row["conflict"] and pd.isna(row["value"])
    assert json.loads(row["values"]) == sorted([cell["value"], cell["value"] + 7]) and row["n_documents"] == 2
    before = panel.set_index(KEY)
    same = merged.index.intersection(before.index[~before["conflict"]]).drop(tuple(cell[k] for k in KEY))
    flipped = merged.loc[same, "conflict"]
    assert len(merged) == len(before) and flipped.sum() <= 2  # the changed number (and a total it is part of)
