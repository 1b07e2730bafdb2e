"""Share lists ("咨询500件，占25.0%；投诉300件，占15.0%；…") against the base their items share, found by
consensus among the totals stated before the list, the sum of its counts and the tables' totals."""
from bulletins import audit, bulletin, errors, results

TYPES = ("5月，市12345热线共受理群众诉求2000件，环比增长2.1%。\n"
         "按诉求类型分，咨询500件，占25.0%；投诉300件，占15.0%；求助260件，占{share}；建议940件，占47.0%。\n")


def _shares(doc, severity=None):
    return [c for c in results(doc, "percentage", severity) if c.locations and "figure_id" in c.locations[-1]]


def test_the_base_stated_a_paragraph_before_is_found_by_consensus():
    doc = audit(bulletin(TYPES.format(share="13.0%")))
    verified = _shares(doc, "pass")
    assert len(verified) == 4 and not errors(doc)
    # every item is divided by the stated total, never by an earlier item of the same list
    assert all(c.arithmetic.endswith("/ 2000件 = " + c.arithmetic.split(" = ")[1]) for c in verified)
    assert [c.reported for c in results(doc, "share_sum", "pass")] == [2000]


def test_an_item_that_disagrees_with_a_corroborated_base_is_an_error_saying_which_base():
    doc = audit(bulletin(TYPES.format(share="13.5%")))
    [err] = errors(doc)
    assert err.reported == 13.5 and err.expected == 13.0
    assert err.arithmetic.startswith("260件 / 2000件")
    assert "2000件" in err.message and "等于所列各项之和" in err.message and "4 项中 3 项" in err.message


def test_a_share_true_only_when_truncated_is_a_warning():
    doc = audit(bulletin("5月共受理群众诉求2500件。\n其中咨询625件，占25.0%；投诉375件，占15.0%；求助324件，占12.9%；建议1176件，占47.0%。"))
    [w] = [c for c in _shares(doc, "warning")]
    assert "截尾" in w.message and "其余 3 项均按四舍五入" in w.message and w.arithmetic.startswith("324件 / 2500件")
    assert not errors(doc)


def test_a_base_named_in_the_sentence_makes_a_disagreement_certain():
    doc = audit(bulletin("在转办的800件工单中，已办结700件，占87.5%；正在办理100件，占12.6%。"))
    [err] = errors(doc)
    assert err.arithmetic.startswith("100件 / 800件") and "句中所称" in err.message


def test_a_base_named_by_the_item_is_looked_up_anywhere_before():
    text = "一、总体情况\n5月共受理群众诉求26000件，共向承办单位派发工单18000件。\n二、存在问题\n群众重复来电342件，占派发工单的{}。"
    [ok] = _shares(audit(bulletin(text.format("1.9%"))), "pass")
    assert ok.arithmetic.startswith("342件 / 18000件") and "派发工单" in ok.message
    [err] = errors(audit(bulletin(text.format("1.3%"))))  # 342 / 26000 would give 1.3 %, but the base is named
    assert err.arithmetic.startswith("342件 / 18000件")


def test_an_inferred_base_that_fails_is_a_warning_saying_it_was_assumed():
    # the two items do not add up to the stated total: the base is only the consensus's guess
    doc = audit(bulletin("5月共受理群众诉求1000件。\n其中咨询400件，占40.0%；投诉200件，占21.0%。"))
    assert not errors(doc)
    [w] = _shares(doc, "warning")
    assert w.arithmetic.startswith("200件 / 1000件") and "推定" in w.message


def test_shares_nudged_to_sum_to_100_are_told_apart():
    doc = audit(bulletin("5月共受理群众诉求300件。\n其中咨询100件，占33.3%；投诉100件，占33.3%；求助100件，占33.4%。"))
    assert not errors(doc)
    [w] = _shares(doc, "warning")
    assert "100%" in w.message and "调整" in w.message


def test_no_printed_base_makes_the_list_right_is_only_noted():
    doc = audit(bulletin("其中咨询41件，占23.0%；投诉77件，占51.0%。"))
    assert not errors(doc) and [c.severity for c in _shares(doc)] == ["info"]


def test_a_bulletin_in_traditional_characters_is_read_the_same():
    text = ("5月，市12345熱線共受理群眾訴求2000件。\n"
            "按訴求類型分，諮詢500件，佔25.0%；投訴300件，佔15.0%；求助260件，佔13.5%；建議940件，佔47.0%。\n")
    [err] = errors(audit(bulletin(text, title="清水市12345熱線2024年5月運行情況通報")))
    assert err.arithmetic.startswith("260件 / 2000件") and "「求助」" in err.message
