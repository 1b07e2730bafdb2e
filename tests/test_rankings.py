"""Ranking claims against table order: the seed's lists hold; a swapped or wrong list is caught; ties pass."""
from pathlib import Path

from tongbao.check import run_checks
from tongbao.extract.text import read_text
from tongbao.model import Document

SEED = Path(__file__).resolve().parent.parent / "corpus" / "004_4b200b6a30fe016d.txt"
TOP5 = "不动产登记交易中心、行政审批服务局、人社局、医保局、公积金服务中心"


def _rankings(text: str):
    doc = read_text(text.encode("utf-8"), Document(doc_id="1" * 64, source_path="x.txt", format="txt"))
    return [c for c in run_checks(doc).checks if c.check == "ranking"]


def test_seed_rankings_hold():
    results = _rankings(SEED.read_text(encoding="utf-8"))
    assert len(results) == 2 and all(r.severity == "pass" for r in results)


def test_swapped_ranking_is_an_error():
    text = SEED.read_text(encoding="utf-8").replace(TOP5, "公积金服务中心、行政审批服务局、人社局、医保局、不动产登记交易中心")
    errors = [r for r in _rankings(text) if r.severity == "error"]
    assert len(errors) == 1 and "公积金服务中心（101）排在 行政审批服务局（102）之前" in errors[0].message


def test_tied_scores_may_come_in_any_order():
    # the first four all score 102: any order among them is right
    text = SEED.read_text(encoding="utf-8").replace(TOP5, "医保局、人社局、行政审批服务局、不动产登记交易中心、公积金服务中心")
    assert all(r.severity == "pass" for r in _rankings(text))


def test_a_higher_row_left_out_is_an_error():
    text = SEED.read_text(encoding="utf-8").replace(TOP5, "不动产登记交易中心、行政审批服务局、人社局、医保局、卫健局")
    errors = [r for r in _rankings(text) if r.severity == "error"]
    assert errors and "高于所列最低" in errors[0].message
