"""Indicators as data: the registry, matching header paths and narrative metrics, the observations
columns and primary key, and the review queue's round trip through an aliases file."""
import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tongbao.cli import app
from tongbao.export.frames import build_frames
from tongbao.export.schemas import load_schema, validate
from tongbao.normalize.indicators import (KINDS, REVIEW_FILE, IndicatorMatcher, IndicatorRegistry, load_indicator_aliases,
                                          ReviewQueue, review_queue, write_indicator_review)
from tongbao.pipeline import process_file

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
DEVSET = DATA / "devset"
LABELS = DATA / "indicator_labels.csv"
MIN_DEVSET_COVERAGE = 0.95  # share of table observations of the development set with an indicator_id
MIN_LABEL_RECALL = 0.9  # share of labelled strings with an indicator that get it (the rest: null, never wrong)


@pytest.fixture(scope="module")
def matcher():
    return IndicatorMatcher()


def _labels() -> list[dict]:
    with open(LABELS, encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["raw"] and not r["raw"].startswith("#")]


def _match(matcher, row):
    if row["source"] == "cell":
        return matcher.match_header(row["raw"])
    return matcher.match_metric(row["raw"], row["unit"] or None, row["qualifier"] or None)


def test_registry_is_well_formed():
    r = IndicatorRegistry()
    assert len(r.indicators) >= 40
    for ind in r.indicators.values():
        assert ind.kind in KINDS and ind.unit, ind
        assert ind.unit in r.units[ind.kind], f"{ind.id}: unit {ind.unit} is not one of its kind's"
    # every alias names one indicator, and each indicator is reachable by its own name or an alias
    reachable = set(r.exact.values()) | set(r.scored.values())
    assert reachable == set(r.indicators)


def test_registry_refuses_an_alias_claimed_twice(tmp_path):
    text = (ROOT / "tongbao/data/indicators.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "indicators.yaml"
    bad.write_text(text + "  - {id: twin, name: 双胞胎, kind: count, unit: 件, aliases: [办结率]}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="办结率"):
        IndicatorRegistry(bad)


def test_labelled_set_no_wrong_id(matcher):
    """Every labelled header path or metric gets its expected id or none — never another id; a label
    expected to name no indicator gets none."""
    rows = _labels()
    assert len(rows) >= 150 and {r["origin"] for r in rows} == {"seed", "devset", "blind"}
    wrong, hits, expected = [], 0, 0
    for row in rows:
        m = _match(matcher, row)
        got = m.indicator.id if m.indicator else ""
        if got and got != row["expected_id"]:
            wrong.append((row["raw"], row["expected_id"], got))
        if row["expected_id"]:
            expected += 1
            hits += got == row["expected_id"]
    assert wrong == []
    assert hits / expected >= MIN_LABEL_RECALL, f"{hits}/{expected}"


def test_maximum_points_make_a_score_not_the_rate(matcher):
    rate, points = matcher.match_header("好评率"), matcher.match_header("评价情况(50分) / 好评率(25分)")
    assert rate.indicator.kind == "rate"
    assert points.indicator.kind == "score" and points.indicator.id != rate.indicator.id
    assert points.indicator_raw == "评价情况(50分) / 好评率(25分)"  # the printed string is kept


def test_the_leaf_decides_and_a_generic_leaf_asks_its_parent(matcher):
    assert matcher.match_header("办件情况 / 办结率").indicator.id == matcher.match_header("办结率").indicator.id
    count = matcher.match_header("整体评价 / 非常满意 / 评价数").indicator
    share = matcher.match_header("整体评价 / 非常满意 / 百分比").indicator
    assert (count.kind, share.kind) == ("count", "rate")
    assert matcher.match_header("两跑清单情况(5分) / 得分").indicator is None  # unknown item: not the total score
    assert matcher.match_header("得分").indicator.kind == "score"
    assert matcher.match_header("五星 / 百分比").indicator is None  # a star share is no star count


def test_notes_quotes_ordinals_and_scripts_do_not_change_the_match(matcher):
    base = matcher.match_header("按期办结率").indicator
    for variant in ("按期辦結率", "按期办结率（%）", "“按期办结率”", "（一）按期办结率", "2.按期办结率",
                    "按期办结率(按期办结数/应办结数)", "按期办结率（网管科、业务科）"):
        assert matcher.match_header(variant).indicator == base, variant


def test_qualified_metrics_name_no_indicator(matcher):
    assert matcher.match_metric("按期办结率", "%").indicator.id == "on_time_rate"
    assert matcher.match_metric("按期办结率", "%", qualifier="增长").indicator is None
    assert matcher.match_metric("按期办结率", "%", bound="低于").indicator is None
    assert matcher.match_metric("按期办结率", "%", comparison="环比").indicator is None
    assert matcher.match_metric("按期办结率", "件").indicator is None  # a count is not a rate
    assert matcher.match_metric("占", "%").method == "not_indicator"
    assert matcher.match_metric("市民政局窗口收到锦旗", "面").method == "not_indicator"  # no kind is counted in 面


def _observations(paths) -> pd.DataFrame:
    return build_frames([process_file(p) for p in paths])["observations"]


@pytest.fixture(scope="module")
def seed_observations():
    return _observations(sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "corpus").glob("*.pdf")))


@pytest.fixture(scope="module", params=["txt", "html", "docx", "pdf"])
def devset_observations(request):
    return _observations(sorted(DEVSET.glob(f"0??.{request.param}")))


def test_primary_key_holds_on_the_seeds_and_the_devset(seed_observations, devset_observations):
    key = load_schema("observations")["primaryKey"]
    assert key == ["doc_id", "source", "source_ref"]
    for obs in (seed_observations, devset_observations):
        assert len(obs) > 100 and not obs.duplicated(key).any()
        validate(obs, "observations")
    # the key a researcher might try first does not hold: the seeds repeat (document, entity, printed label)
    assert seed_observations.duplicated(["doc_id", "entity_name", "indicator_raw"]).any()


def test_devset_tables_carry_indicator_ids(devset_observations):
    cells = devset_observations[devset_observations["source"] == "cell"]
    assert cells["indicator_id"].notna().mean() >= MIN_DEVSET_COVERAGE
    known = cells[cells["indicator_id"].notna()]
    assert known["indicator_kind"].isin(KINDS).all() and known["indicator_name"].notna().all()
    assert (cells["indicator"] == cells["indicator_raw"]).all()  # the old column, kept for one release


def test_observation_kinds_agree_with_their_cells(devset_observations):
    """A rate column's values are percentages, a rank's whole numbers up to the rows, a score's within
    its maximum points: the kind the registry gives fits what the bulletin printed."""
    cells = devset_observations[devset_observations["source"] == "cell"]
    rates = cells[cells["indicator_kind"] == "rate"]["value"]
    assert len(rates) and rates.between(0, 100).all()
    ranks = cells[cells["indicator_kind"] == "rank"]["value"]
    assert len(ranks) and (ranks == ranks.round()).all() and (ranks >= 1).all()
    scores = cells[(cells["indicator_kind"] == "score") & cells["max_points"].notna()]
    assert len(scores) and (scores["value"] <= scores["max_points"]).all()


def test_review_queue_round_trip(seed_observations, tmp_path):
    """Unknown labels are queued; the queue filled in and passed back makes them known, `none` drops them."""
    queue_file = tmp_path / REVIEW_FILE
    n = write_indicator_review(seed_observations, queue_file)
    queue = pd.read_csv(queue_file, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert n == len(queue) > 0
    unknown = seed_observations[seed_observations["indicator_method"] == "unknown"]
    assert set(queue["indicator_raw"]) == set(unknown["indicator_raw"].dropna()) - {""}  # a blank header has nothing to alias
    assert queue["n_observations"].astype(int).is_monotonic_decreasing
    first, second = queue.iloc[0]["indicator_raw"], queue.iloc[1]["indicator_raw"]
    queue.loc[0, ["indicator_id", "indicator_name", "indicator_kind"]] = ["my_total", "我的合计", "count"]
    queue.loc[1, "indicator_id"] = "none"
    queue.to_csv(queue_file, index=False, encoding="utf-8-sig")

    m = IndicatorMatcher(aliases=queue_file)
    got = m.match_header(first) if queue.iloc[0]["source"] == "cell" else m.match_metric(first)
    assert got.fields()["indicator_id"] == "my_total" and got.indicator.kind == "count"
    again = seed_observations.copy()
    for col in ("indicator_id", "indicator_method"):
        again[col] = again[col].astype(object)
    again.loc[again["indicator_raw"] == first, ["indicator_id", "indicator_method"]] = ["my_total", "user"]
    again.loc[again["indicator_raw"] == second, "indicator_method"] = "not_indicator"
    left = review_queue(again)
    assert first not in set(left["indicator_raw"]) and second not in set(left["indicator_raw"])
    assert len(left) == len(queue) - 2


def test_review_queue_gathered_document_by_document_is_the_same_queue(seed_observations):
    """A batch's merge adds each document's observations as it goes; the queue is the one of them all."""
    queue = ReviewQueue()
    docs = list(seed_observations.groupby("doc_id", sort=False))
    assert len(docs) > 1
    for _doc, part in docs:
        queue.add(part)
    gathered = queue.frame()
    assert len(gathered) and (gathered["n_documents"] >= 1).all()
    pd.testing.assert_frame_equal(gathered, review_queue(seed_observations))


def test_user_alias_of_a_level_and_a_yaml_file(tmp_path, matcher):
    assert matcher.match_header("党建精神文明(10分) / 五级十五同(5分)").indicator is None
    f = tmp_path / "aliases.yaml"
    f.write_text("五级十五同(5分): full_online_score\n", encoding="utf-8")
    m = IndicatorMatcher(aliases=f)
    hit = m.match_header("党建精神文明(10分) / 五级十五同(5分)")
    assert hit.indicator == matcher.registry.indicators["full_online_score"] and hit.method == "user"


def test_bad_aliases_file_is_a_usage_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator_raw,indicator_id,indicator_kind\n办结率,x,ratio\n", encoding="utf-8")
    with pytest.raises(ValueError, match="indicator_kind"):
        load_indicator_aliases(bad)
    result = CliRunner().invoke(app, ["extract", str(ROOT / "corpus"), "--out", str(tmp_path / "o"),
                                      "--indicator-aliases", str(bad)])
    assert result.exit_code == 2 and not (tmp_path / "o").exists()


def test_cli_writes_the_queue_and_takes_it_back(tmp_path):
    seed = sorted((ROOT / "corpus").glob("004_*.txt"))[0]
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["extract", str(seed), "--out", str(out), "-f", "csv", "--workers", "1"])
    assert result.exit_code == 0, result.output
    queue = pd.read_csv(out / REVIEW_FILE, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    raw = queue.iloc[0]["indicator_raw"]
    queue.loc[0, "indicator_id"] = "volume"
    queue.to_csv(tmp_path / "reviewed.csv", index=False, encoding="utf-8-sig")
    out2 = tmp_path / "out2"
    result = CliRunner().invoke(app, ["extract", str(seed), "--out", str(out2), "-f", "csv", "--workers", "1",
                                      "--indicator-aliases", str(tmp_path / "reviewed.csv")])
    assert result.exit_code == 0, result.output
    obs = pd.read_csv(out2 / "observations.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert set(obs.loc[obs["indicator_raw"] == raw, "indicator_id"]) == {"volume"}
    assert raw not in set(pd.read_csv(out2 / REVIEW_FILE, encoding="utf-8-sig", dtype=str)["indicator_raw"])
    package = json.loads((out2 / "datapackage.json").read_text(encoding="utf-8"))
    obs_schema = next(r for r in package["resources"] if r["name"] == "observations")["schema"]
    assert obs_schema["primaryKey"] == ["doc_id", "source", "source_ref"]


def test_published_schema_copies_are_identical():
    assert (ROOT / "schemas/observations.json").read_bytes() == (ROOT / "tongbao/schemas/observations.json").read_bytes()


def test_review_queue_defuses_formulas_and_reads_them_back(tmp_path):
    """A label starting with = or - is written so no spreadsheet runs it, and matched as printed when passed back."""
    obs = pd.DataFrame(dict(doc_id=["d"] * 2, source=["cell"] * 2, source_ref=["t:0:1", "t:0:2"], value=[1.0, 2.0],
                            unit=[None, None], indicator_id=[None, None], indicator_raw=["=1+2", "-办件量环比"],
                            indicator_method=["unknown", "unknown"]))
    path = tmp_path / REVIEW_FILE
    write_indicator_review(obs, path)
    text = path.read_text(encoding="utf-8-sig")
    assert "'=1+2" in text and "'-办件量环比" in text
    queue = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    queue["indicator_id"] = "volume"
    queue.to_csv(path, index=False, encoding="utf-8-sig")
    assert IndicatorMatcher(aliases=path).match_header("-办件量环比").indicator.id == "volume"
