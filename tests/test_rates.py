"""A rate stated in the narrative against the counts it divides, with its severity following how surely
the text binds them: a printed formula or a named base and part (error), a named part over an assumed
base (warning), a part or base not printed at all (info)."""
from bulletins import audit, bulletin, errors, results


def _rates(doc, severity=None):
    return [c for c in results(doc, "percentage", severity) if c.locations and "figure_id" in c.locations[-1]]


def test_the_part_named_by_the_rate_over_a_total_stated_a_paragraph_before():
    doc = audit(bulletin("5月，市12345热线共受理群众来电5000件。\n热线直接答复3000件，直接答复率60.0%；转派承办单位2000件。"))
    [ok] = _rates(doc, "pass")
    assert ok.arithmetic.startswith("3000件 / 5000件")


def test_the_part_may_come_after_the_rate():
    text = ("二季度，市12345热线共受理群众诉求9000件，转派承办单位3000件，按期办结率97.0%，超期办结30件。\n"
            "其中按期办结2910件，截至6月30日未办结60件。")
    doc = audit(bulletin(text))
    [ok] = _rates(doc, "pass")
    assert ok.arithmetic.startswith("2910件 / 3000件") and not errors(doc)
    # the 其中 sentence breaks down the 转派 figure with the 超期办结 stated beside it
    [b] = results(doc, "breakdown", "pass")
    assert b.arithmetic.startswith("2910件 + 60件 + 30件 = 3000")


def test_a_printed_formula_binds_with_certainty():
    text = "参与满意度评价的群众400人，其中表示满意的390人，满意率（满意人数/参评人数）为{}。"
    assert _rates(audit(bulletin(text.format("97.5%"))), "pass")
    [err] = errors(audit(bulletin(text.format("96.0%"))))
    assert err.arithmetic.startswith("390人 / 400人") and "公式" in err.message


def test_a_sentence_stating_the_base_then_the_part_binds_with_certainty():
    [err] = errors(audit(bulletin("本月窗口评价数 2000 件，满意 1990 件，满意率 99.9%，其余为基本满意。")))
    assert err.arithmetic.startswith("1990 件 / 2000 件") and err.reported == 99.9


def test_a_named_part_over_an_assumed_base_is_a_warning():
    text = "全年累计受理群众诉求20000件。\n本月转办工单1000件。\n按期办结900件，按期办结率95.0%。"
    doc = audit(bulletin(text))
    assert not errors(doc)
    [w] = _rates(doc, "warning")
    assert w.arithmetic.startswith("900件 /") and "推定" in w.message


def test_a_rate_whose_base_is_not_printed_is_only_noted():
    doc = audit(bulletin("回访中群众表示不满意的12件，群众满意率98.5%。"))
    assert not errors(doc)
    [note] = _rates(doc, "info")
    assert "未印出" in note.message and "800" in note.message  # 12 / (1 − 98.5 %) ≈ 800 would be the base


def test_a_rate_is_never_divided_by_a_score_or_a_percentage():
    doc = audit(bulletin("本月综合得分98.6分，排名第1位，群众满意率98.6%，较上月提高0.4%。"))
    assert not _rates(doc)
