"""Table checks that bind by consensus and explain what they find: a % column is divided by the pair of
count columns that makes most of its rows (never by a rank or a score), a column no label names as a
total is taken for one when the others add up to it in most rows, and a sum that fails says whether a
row looks left out or two digits look swapped."""
from bulletins import audit, bulletin, errors, results

HEAD = "各承办单位办理情况见下表。\n2024年5月承办单位办理情况\n"


def _table_rates(doc, severity=None):
    return [c for c in results(doc, "percentage", severity) if c.locations and "table_id" in c.locations[0]]


def test_a_rate_column_is_divided_by_its_named_count_over_the_total_column():
    rows = ("承办单位\t总件数\t已办结\t办理中\t办结率\n"
            "东湖区\t1000\t950\t50\t95.0%\n西岭区\t800\t744\t56\t93.0%\n南岸区\t600\t570\t30\t96.0%\n北山区\t400\t380\t20\t95.0%\n")
    doc = audit(bulletin(HEAD + rows))
    [err] = errors(doc)
    assert err.arithmetic == "570 / 600 = 95.0000%" and err.reported == 96.0  # 已办结 / 总件数, not 办理中
    assert len(_table_rates(doc, "pass")) == 3


def test_rates_ranks_and_scores_are_never_divided_by_one_another():
    # 考核得分 is the label a total column often has: the rate must still divide 按期办结 by 派发工单
    rows = ("单位\t派发工单\t按期办结\t按期办结率\t考核得分\t排名\n"
            "东湖区\t1423\t1423\t100.0%\t98.6\t1\n西岭区\t1187\t1180\t99.4%\t98.1\t2\n"
            "南岸区\t1652\t1649\t99.8%\t97.7\t3\n北山区\t712\t700\t98.3%\t97.2\t4\n")
    doc = audit(bulletin(HEAD + rows))
    assert not errors(doc) and not [f for f in doc.findings if f.check in ("percentage", "row_sum")]
    verified = _table_rates(doc, "pass")
    assert len(verified) == 4 and all("均为按期办结/派发工单" in c.message for c in verified)
    assert not results(doc, "row_sum")  # a score with decimals is never the sum of whole counts


def test_an_unlabelled_total_column_is_found_and_a_transposition_explained():
    rows = ("序号\t承办单位\t工单量\t按期办结\t超期办结\t未办结\n"
            "1\t东湖区\t3230\t3147\t48\t35\n2\t西岭区\t2986\t2939\t27\t20\n3\t南岸区\t1243\t1188\t27\t19\n"
            "4\t北山区\t2908\t2836\t44\t28\n5\t中原区\t1968\t1931\t23\t14\n")
    doc = audit(bulletin(HEAD + rows))
    [w] = [f for f in doc.findings if f.check == "row_sum"]
    assert w.severity == "warning" and w.reported == 1243 and w.expected == 1234
    assert "颠倒" in w.message and "假定「工单量」" in w.message  # the total was assumed: a warning
    assert len(results(doc, "row_sum", "pass")) == 4


def test_a_total_row_that_leaves_out_a_row_says_which():
    rows = ("区县\t转办总量\t已办结\t在办\n东湖区\t3621\t3498\t123\n西岭区\t1488\t1452\t36\n南岸区\t1103\t1089\t14\n"
            "北山区\t205\t196\t9\n合计\t6212\t6039\t173\n")
    doc = audit(bulletin(HEAD + rows))
    sums = [f for f in doc.findings if f.check == "column_sum"]
    assert len(sums) == 3 and all(f.severity == "error" and "「北山区」" in f.message and "漏计" in f.message for f in sums)


def test_points_columns_named_like_rates_are_added_not_divided():
    rows = ("旗县区\t评价情况(50分)\t\t整改情况(50分)\t\t得分\n"
            "\t主动评价率(25分)\t好评率(25分)\t差评回访(20分)\t整改到位(30分)\t\n"
            "东湖区\t24.6\t24.8\t19.5\t29.1\t98.0\n西岭区\t24.1\t24.7\t19.2\t28.6\t96.6\n"
            "南岸区\t21.5\t23.2\t16.8\t25.4\t89.6\n北山区\t23.8\t24.1\t18.4\t28.2\t94.5\n")
    doc = audit(bulletin(HEAD + rows))
    assert not _table_rates(doc)
    [err] = errors(doc)
    assert err.check == "row_sum" and err.reported == 89.6 and "颠倒" in err.message
