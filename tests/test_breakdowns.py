"""A stated total against the 其中 / 具体情况为 list that breaks it down."""
from pathlib import Path

from tongbao.check import run_checks
from tongbao.extract.text import read_text
from tongbao.model import Document

SEED = Path(__file__).resolve().parent.parent / "corpus" / "004_4b200b6a30fe016d.txt"


def _breakdowns(text):
    doc = run_checks(read_text(text.encode("utf-8"), Document(doc_id="3" * 64, source_path="x.txt", format="txt")))
    return [c for c in doc.checks if c.check == "breakdown"]


def test_seed_breakdowns_hold():
    results = _breakdowns(SEED.read_text(encoding="utf-8"))
    assert sorted(r.arithmetic for r in results) == sorted([
        "6676 件 + 53131 件 + 38927 件 + 2150 件 = 100884（总数 100884 件）",
        "3人次 + 1人次 = 4（总数 4(次)）"])
    assert all(r.severity == "pass" for r in results)


def test_parts_above_the_total_are_an_error():
    text = SEED.read_text(encoding="utf-8").replace("空岗1人次", "空岗2人次")
    errors = [r for r in _breakdowns(text) if r.severity == "error"]
    assert len(errors) == 1 and errors[0].expected == 5 and errors[0].reported == 4


def test_parts_below_the_total_are_only_noted():
    text = "本月共受理投诉 10 件，其中咨询类 3 件、建议类 4 件。"
    results = _breakdowns(text)
    assert [r.severity for r in results] == ["info"]
