"""The period a bulletin's title names against the period its body reports and its issue date."""
from bulletins import audit, bulletin, errors, results

BODY = ("一、总体运行情况\n{period}，市12345热线共受理群众诉求5200件，较上月增加120件。\n"
        "二、各区办理情况\n{table}各区转办工单办理情况\n区县\t转办总量\t已办结\t在办\n东湖区\t362\t349\t13\n西岭区\t148\t145\t3\n"
        "请各区于{deadline}底前报送整改情况。\n")


def test_a_title_naming_another_month_than_the_body_is_an_error():
    text = bulletin(BODY.format(period="2024年6月", table="2024年6月", deadline="7月"),
                    title="清水市12345热线2024年五月份运行情况通报", issued="2024年7月5日")
    [err] = errors(audit(text))
    assert err.check == "period" and "2024-05" in err.message and "2024-06" in err.message and "2 处" in err.message


def test_the_body_naming_the_title_s_month_holds_whatever_else_it_mentions():
    # 较上月, a deadline (7月底前) and a date (6月30日) are not the period reported
    text = bulletin(BODY.format(period="6月", table="2024年6月", deadline="7月") + "截至6月30日，尚有13件在办。",
                    title="清水市12345热线2024年6月运行情况通报", issued="2024年7月5日")
    doc = audit(text)
    assert not errors(doc) and [c.severity for c in results(doc, "period")] == ["pass"]


def test_a_quarterly_title_against_the_body_s_quarter():
    body = "二季度，市长信箱共受理来信574件，较一季度增加39件。"
    assert [c.severity for c in results(audit(bulletin(body, title="清水市2024年第二季度来信办理情况通报", issued="2024年7月9日")),
                                        "period")] == ["pass"]
    [err] = errors(audit(bulletin(body, title="清水市2024年第三季度来信办理情况通报", issued="2024年10月9日")))
    assert "2024-Q3" in err.message and "2024-Q2" in err.message


def test_a_period_after_the_issue_date_is_an_error():
    doc = audit(bulletin("8月，市12345热线共受理群众诉求5200件。", title="清水市12345热线2024年8月运行情况通报", issued="2024年7月5日"))
    [err] = errors(doc)
    assert err.check == "period" and "晚于发文日期" in err.message
