"""A difference the text states, checked only when the text says its parts are disjoint and whole."""
from bulletins import audit, bulletin, errors, results


def test_a_remainder_must_be_the_whole_less_the_parts():
    text = "本月共受理群众投诉90件，已办结70件，其余{}件正在办理。"
    assert [c.severity for c in results(audit(bulletin(text.format(20))), "difference")] == ["pass"]
    [err] = errors(audit(bulletin(text.format(15))))
    assert err.check == "difference" and err.expected == 85 and err.reported == 90


def test_complementary_parts_must_make_the_whole():
    [err] = errors(audit(bulletin("本月转派工单1000件，已办结900件，未办结90件。")))
    assert err.check == "difference" and err.expected == 990


def test_parts_that_are_not_said_to_be_disjoint_are_not_subtracted():
    # 回访确认办结 is only some of the 办结 tickets (其余已办结工单正在回访): 1000 − 800 need not be the 100 open
    text = ("本月转派承办单位办理1000件。\n转派工单中，经回访确认办结的800件，截至5月31日仍在办理的100件，"
            "其余已办结工单正在回访。")
    doc = audit(bulletin(text))
    assert not errors(doc) and not results(doc, "difference")


def test_a_qualified_part_is_not_its_complement():
    # 按期办结 and 未办结 leave out 超期办结: no complementary pair
    doc = audit(bulletin("本月转派工单1000件，按期办结900件，未办结60件，超期办结40件。"))
    assert not errors(doc)
