"""Regressions for table layouts made by other hands than the renderer: each test is named for the
layout it pins, with a small invented bulletin as a text layer gives it."""
from __future__ import annotations

from tongbao.check import run_checks
from tongbao.extract.text import read_text
from tongbao.model import Document

PREAMBLE = "某某市12345热线管理中心\n\n关于2024年5月工单办理情况的通报\n\n现将办理情况通报如下。\n\n"


def _doc(text: str) -> Document:
    doc = read_text((PREAMBLE + text).encode("utf-8"), Document(doc_id="1" * 64, source_path="t.txt", format="txt"))
    run_checks(doc)
    return doc


def _cells(doc: Document) -> dict[tuple[str, str], str]:
    return {(c.row_label, c.header_path): c.text for row in doc.tables[0].rows for c in row}


def test_total_column_printed_before_its_parts_keeps_its_values():
    doc = _doc("单位\t总件数\t办理中\t已办结\t办结率\n"
               "甲区\t300\t20\t280\t93.3%\n"
               "乙县\t150\t15\t135\t90.0%\n")
    cells = _cells(doc)
    assert [c.header_path for c in doc.tables[0].columns] == ["单位", "总件数", "办理中", "已办结", "办结率"]
    assert cells[("甲区", "总件数")] == "300" and cells[("甲区", "办结率")] == "93.3%"
    assert not [f for f in doc.findings if f.severity == "error"]
    assert sum(c.check == "row_sum" and c.severity == "pass" for c in doc.checks) == 2


def test_merged_header_written_once_is_rebuilt_from_its_points():
    doc = _doc("序号\t单位\t考核内容\t总分(100分)\t名次\n"
               "基础工作(70分)\t服务评价(30分)\n"
               "制度建设(30分)\t台账管理(40分)\t满意度(20分)\t投诉处理(10分)\n"
               "1\t甲局\t28\t37\t19\t9\t93\t1\n"
               "2\t乙局\t25\t35\t18\t8\t86\t2\n")
    paths = [c.header_path for c in doc.tables[0].columns]
    assert paths == ["序号", "单位", "考核内容 / 基础工作(70分) / 制度建设(30分)", "考核内容 / 基础工作(70分) / 台账管理(40分)",
                     "考核内容 / 服务评价(30分) / 满意度(20分)", "考核内容 / 服务评价(30分) / 投诉处理(10分)",
                     "总分(100分)", "名次"]
    assert _cells(doc)[("乙局", "名次")] == "2"
    assert sum(c.check == "row_sum" and c.severity == "pass" for c in doc.checks) == 2


def test_merged_header_written_once_that_fits_two_ways_is_left_as_printed():
    """Two groups without points over four leaves without points: 1+3, 2+2 and 3+1 fit alike."""
    doc = _doc("单位\t甲类\t乙类\n"
               "一\t二\t三\t四\n"
               "甲局\t1\t2\t3\t4\n")
    paths = [c.header_path for c in doc.tables[0].columns]
    assert "甲类 / 一" not in paths or "乙类 / 四" not in paths  # not a guessed split


def _unsure_columns(doc: Document) -> set[str]:
    return {c.header_path for row in doc.tables[0].rows for c in row if c.unsure}


def test_values_that_cannot_be_of_their_column_kind_are_unsure_not_sure():
    """A misread that put counts under a rate and rates under a count: neither column is believed."""
    doc = _doc("单位\t办结率\t总件数\n甲区\t300\t95.5%\n乙县\t150\t90.0%\n丙区\t90\t88.9%\n")
    assert _unsure_columns(doc) == {"办结率", "总件数"}
    warnings = [f for f in doc.findings if f.check == "extraction_unsure" and f.severity == "warning"]
    assert len(warnings) == 2 and any("不可能是比率" in f.message for f in warnings)


def test_work_orders_under_a_score_column_are_unsure():
    doc = _doc("单位\t得分(100分)\t排名\n甲局\t8500\t93.5\n乙局\t7600\t91.0\n")
    assert _unsure_columns(doc) == {"得分(100分)", "排名"}


def test_one_score_above_its_maximum_is_the_documents_not_the_readings():
    doc = _doc("单位\t网厅办件(15分)\t合计\n甲局\t16\t16\n乙局\t14\t14\n丙局\t13\t13\n")
    assert not _unsure_columns(doc)
    assert any(f.check == "max_points" and f.severity == "error" for f in doc.findings)


def test_cells_padded_with_trailing_spaces_read_as_their_text():
    doc = _doc("单位  \t总件数 \t已办结  \t办理中\n"
               "甲区   \t 300 \t280  \t20   \n"
               "乙县\t150  \t 135\t15 \n")
    cells = _cells(doc)
    assert [c.header_path for c in doc.tables[0].columns] == ["单位", "总件数", "已办结", "办理中"]
    assert cells[("甲区", "总件数")] == "300" and cells[("乙县", "已办结")] == "135"
    assert sum(c.check == "row_sum" and c.severity == "pass" for c in doc.checks) == 2


def test_a_negative_count_is_found():
    named = _doc("单位\t工单数\t已办结\n甲区\t30\t28\n乙县\t-2\t12\n丙区\t90\t88\n丁县\t40\t40\n")
    [e] = [f for f in named.findings if f.check == "count_sign"]
    assert e.severity == "error" and e.reported == -2
    inferred = _doc("单位\t总件数\t已办结\t未办结\n甲区\t30\t28\t2\n乙县\t12\t13\t-1\n丙区\t90\t88\t2\n丁县\t40\t40\t0\n")
    [w] = [f for f in inferred.findings if f.check == "count_sign"]
    assert w.severity == "warning" and "推定" in w.message
    clean = _doc("单位\t总件数\t已办结\t未办结\n甲区\t30\t28\t2\n乙县\t12\t11\t1\n丙区\t90\t88\t2\n")
    assert not [f for f in clean.findings if f.check == "count_sign"]
