"""A stated count against the list it announces ("排名前五位的单位依次为：" with four names)."""
from bulletins import audit, bulletin, errors, results

TABLE = ("各单位考核得分如下表。\n2024年5月承办单位考核得分\n单位\t工单数\t考核得分\t排名\n"
         "东湖区\t812\t97.5\t1\n西岭区\t640\t96.8\t2\n南岸区\t533\t95.2\t3\n北山区\t701\t94.9\t4\n中原区\t388\t93.0\t5\n"
         "江北区\t275\t91.4\t6\n")


def test_a_ranked_list_short_of_its_count_is_an_error_naming_the_row_left_out():
    doc = audit(bulletin("本月考核得分排名前五位的单位依次为：东湖区、西岭区、南岸区、北山区。\n" + TABLE))
    [err] = errors(doc)
    assert err.check == "count" and err.reported == 5 and err.expected == 4
    assert "第5位「中原区」" in err.message
    # the four it names are still checked against the table's order
    assert results(doc, "ranking", "pass")


def test_a_list_as_long_as_its_count_holds():
    doc = audit(bulletin("本季度共有3个窗口被评为“红旗窗口”，分别是：东湖区窗口、西岭区窗口、南岸区窗口。"))
    [ok] = results(doc, "count")
    assert ok.severity == "pass" and ok.reported == 3


def test_a_list_longer_than_its_count_is_an_error():
    doc = audit(bulletin("共有2个单位按期办结率达到100%，分别是：东湖区、西岭区、南岸区。"))
    [err] = errors(doc)
    assert err.check == "count" and err.reported == 2 and err.expected == 3


def test_a_name_holding_and_may_be_two_so_the_count_is_only_noted():
    doc = audit(bulletin("共有3个单位获评，分别是：市住房和城乡建设局、市自然资源和规划局。"))
    assert not errors(doc) and [c.severity for c in results(doc, "count")] == ["info"]


def test_a_list_ending_with_deng_names_only_some():
    doc = audit(bulletin("共有5个单位获评，分别是：东湖区、西岭区等。"))
    assert [c.severity for c in results(doc, "count")] == ["pass"]


def test_a_list_in_traditional_characters_is_counted_too():
    [err] = errors(audit(bulletin("共有3個單位獲評，分別是：東湖區、西嶺區。")))
    assert err.check == "count" and err.reported == 3 and err.expected == 2


def test_a_note_in_parentheses_is_part_of_its_item():
    doc = audit(bulletin("共有2个单位获评，分别是：市公安局（含出入境、治安支队）、市民政局。"))
    assert [(c.severity, c.expected) for c in results(doc, "count")] == [("pass", 2)]
