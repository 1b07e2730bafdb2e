"""A narrative total against the table column it restates, named or only kindred."""
from pathlib import Path

from tongbao.check import run_checks
from tongbao.extract.text import read_text
from tongbao.model import Document

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _findings(text):
    doc = run_checks(read_text(text.encode("utf-8"), Document(doc_id="4" * 64, source_path="x.txt", format="txt")))
    return [c for c in doc.checks if c.check == "narrative_total"]


def test_a_named_column_total_that_differs_is_an_error():
    text = (CORPUS / "004_4b200b6a30fe016d.txt").read_text(encoding="utf-8").replace("收费类 2150 件", "收费类 2151 件")
    errors = [c for c in _findings(text) if c.severity == "error"]
    assert len(errors) == 1 and errors[0].expected == 2150 and errors[0].reported == 2151


def test_a_kindred_column_that_no_longer_matches_is_a_warning():
    # 主动评价 1912366 restates the sum of 用户评价; change one district's 用户评价 by one
    text = (CORPUS / "001_019204d22be93a6a.txt").read_text(encoding="utf-8")
    assert any(c.severity == "pass" and c.reported == 1912366 for c in _findings(text))
    changed = text.replace("思明区\t149946\t149506", "思明区\t149946\t149507")
    warnings = [c for c in _findings(changed) if c.severity == "warning"]
    assert len(warnings) == 1 and warnings[0].reported == 1912366 and warnings[0].expected == 1912367
    assert "用户评价" in warnings[0].message


def test_a_part_above_its_whole_is_an_error():
    """用户评价 counts some of the 评价 that 总评价数 counts all of."""
    text = (CORPUS / "001_019204d22be93a6a.txt").read_text(encoding="utf-8").replace("思明区\t149946\t149506", "思明区\t149946\t164457")
    doc = run_checks(read_text(text.encode("utf-8"), Document(doc_id="5" * 64, source_path="x.txt", format="txt")))
    errors = [f for f in doc.findings if f.check == "part_of_total"]
    assert len(errors) == 1 and errors[0].reported == 164457 and errors[0].expected == 149946
    held = [f for f in doc.checks if f.check == "part_of_total" and f.severity == "pass"]
    assert held and all(f.reported <= f.expected for f in held)  # the other rows verified, and recorded
    assert not any("思明区" in f.message for f in held)
