"""Growth claims against the previous period's bulletin from the same issuer, in the same batch."""
from pathlib import Path

from tongbao.check.growth import growth_claims, previous_period, run_cross_document_checks
from tongbao.pipeline import process_file

SEED = Path(__file__).resolve().parent.parent / "corpus" / "004_4b200b6a30fe016d.txt"
# previous-month values that make every stated change hold: 100884/86969 = +16.0 %, 6676/4751 = +40.5 %,
# 53131/42001 = +26.5 %, 38927/32412 = +20.1 %, 2150/7847 = -72.6 %
PREVIOUS = {"100884": "86969", "6676": "4751", "53131": "42001", "38927": "32412", "2150": "7847"}


def _previous_bulletin(tmp_path, values=PREVIOUS):
    text = SEED.read_text(encoding="utf-8").replace("11 月份", "10 月份").replace("2020年12月17日", "2020年11月16日")
    for now, before in values.items():
        text = text.replace(now, before)
    path = tmp_path / "previous.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _growth(docs):
    run_cross_document_checks(docs)
    return [c for c in docs[0].checks if c.check == "growth"]


def test_previous_period_labels():
    assert previous_period("2020-11", False) == "2020-10"
    assert previous_period("2021-01", False) == "2020-12"
    assert previous_period("2022-Q1", False) == "2021-Q4"
    assert previous_period("2022-08", True) == "2021-08"
    assert previous_period("2022-Q3", False) == "2022-Q2" and previous_period("2022-Q1", True) == "2021-Q1"
    assert previous_period(None, False) is None and previous_period("2022年8月", False) is None


def test_claims_are_found_with_direction():
    doc = process_file(SEED)
    claims = {(subject, direction) for _, subject, direction, _ in growth_claims(doc)}
    assert ("办件总量", 1) in claims and ("收费类办件", -1) in claims


def test_without_previous_bulletin_claims_are_info(tmp_path):
    results = _growth([process_file(SEED)])
    assert results and all(r.severity == "info" and "不在本批文件中" in r.message for r in results)


def test_claims_hold_against_previous_bulletin(tmp_path):
    results = _growth([process_file(SEED), process_file(_previous_bulletin(tmp_path))])
    verified = {r.arithmetic.split(" = ")[0] for r in results if r.severity == "pass"}
    assert "(100884 件 - 86969 件) / 86969 件" in verified
    assert "(2150 件 - 7847 件) / 7847 件" in verified
    assert not [r for r in results if r.severity == "error"]


def test_a_wrong_growth_claim_is_an_error(tmp_path):
    values = dict(PREVIOUS, **{"100884": "90000"})  # +12.1 %, stated 16 %
    results = _growth([process_file(SEED), process_file(_previous_bulletin(tmp_path, values))])
    errors = [r for r in results if r.severity == "error"]
    assert len(errors) == 1 and "应为 增长 12.1%" in errors[0].message


def test_a_batch_on_disk_gains_the_growth_findings_as_one_held_in_memory(tmp_path):
    """convert_batch checks growth on the stored parts and builds the documents, findings and checks
    tables of the claiming bulletin again: the same tables as run_batch's, the error counted."""
    import pandas as pd

    from tongbao.export.schemas import TABLES, load_schema
    from tongbao.export.writers import write_tables
    from tongbao.pipeline import convert_batch, run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "now.txt").write_bytes(SEED.read_bytes())
    _previous_bulletin(folder, dict(PREVIOUS, **{"100884": "90000"}))
    convert_batch([folder], tmp_path / "disk", workers=1)
    write_tables(run_batch([folder], scheduler="serial").frames, tmp_path / "memory")
    for name in TABLES:
        key = load_schema(name).get("primaryKey")
        disk, memory = (pd.read_parquet(tmp_path / run / f"{name}.parquet").sort_values(key or [], kind="stable")
                        .reset_index(drop=True) for run in ("disk", "memory"))
        pd.testing.assert_frame_equal(disk, memory, obj=name)
    findings = pd.read_parquet(tmp_path / "disk" / "findings.parquet")
    assert ((findings.check == "growth") & (findings.severity == "error")).sum() == 1
    documents = pd.read_parquet(tmp_path / "disk" / "documents.parquet")
    assert documents.n_errors.sum() >= 1
