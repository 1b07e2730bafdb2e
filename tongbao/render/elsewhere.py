"""Example bulletins laid out as other offices lay them out, for the layouts the readers must not
misread: a total column printed before its parts, two records per printed row, names wrapped in a
table without rules that runs onto the next page, three-line and box-only rulings, captions under
the table. Invented places and numbers, all consistent, so any finding on them is a reader's bug.
"""
from __future__ import annotations

import random

from .spec import BulletinSpec, HeaderCell as H, TableSpec

UNITS = ["东城区", "西城区", "南湖区", "北山区", "高新技术产业开发区管理委员会", "临江县", "青石县",
         "市住房和城乡建设局", "市城市管理和综合执法局", "市人社局", "市场监管局", "国家税务总局某某市税务局",
         "市住房公积金管理中心", "市自然资源和规划局", "市交通运输局"]
COUNTIES = ["东城区", "西城区", "南湖区", "临江土家族苗族自治县", "青石仡佬族苗族自治县", "北山区", "云台县",
            "白马镇经济开发区管理委员会", "红岩县", "石门县", "金沙县", "望江县", "长乐县", "安平县", "永宁县",
            "凤凰山风景名胜区管理委员会", "清溪县", "梅林县", "桃源县", "松柏县", "柳河县", "竹溪县",
            "兰溪县", "杏坛县", "芦花县", "荷塘县", "菊山县", "槐树县", "杨柳县", "枫林县"]


def _rate(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%"


def totals_first_bulletin(seed: int = 11) -> BulletinSpec:
    """A 12345 hotline monthly: the total column before its parts, a 总计 row, a box-only ruling and
    the caption under the table."""
    rng = random.Random(seed)
    rows, sums = [], [0, 0, 0]
    for unit in UNITS:
        done = rng.randint(150, 1600)
        open_ = rng.randint(5, 170)
        rows.append([unit, str(done + open_), str(done), str(open_), _rate(done, done + open_)])
        sums = [sums[0] + done + open_, sums[1] + done, sums[2] + open_]
    rows.append(["总计", str(sums[0]), str(sums[1]), str(sums[2]), _rate(sums[1], sums[0])])
    table = TableSpec(title="2024年5月承办单位工单办理情况", annex=None, ruling="outer", caption_below=True,
                      header=[[H(x) for x in ("承办单位", "总件数", "已办结", "办理中", "办结率")]], rows=rows,
                      after_paragraph=1)
    return BulletinSpec(
        issuer="某某市12345政务服务便民热线管理中心", doc_number="某热线〔2024〕6号",
        title="某某市12345政务服务便民热线2024年5月运行情况通报", issue_date="2024年6月5日",
        signature="某某市12345政务服务便民热线管理中心",
        paragraphs=["一、承办单位办理情况",
                    f"5月转派承办单位工单 {sums[0]} 件，已办结 {sums[1]} 件，办理中 {sums[2]} 件。各承办单位办理情况见下表。",
                    "二、工作要求", "请各承办单位对办理中的工单逐件跟踪，按期办结。"],
        tables=[table],
    )


def record_pairs_bulletin(seed: int = 12) -> BulletinSpec:
    """A window assessment printing two records per row (窗口 | 工单数 | 得分 | 排名, twice), ruled under
    every row."""
    rng = random.Random(seed)
    scored = sorted(((round(rng.uniform(85, 99), 1), unit, rng.randint(100, 3000)) for unit in UNITS[:14]), reverse=True)
    records = [[unit, str(orders), f"{score:.1f}", str(rank)] for rank, (score, unit, orders) in enumerate(scored, start=1)]
    half = (len(records) + 1) // 2
    rows = [records[i] + (records[i + half] if i + half < len(records) else ["", "", "", ""]) for i in range(half)]
    label = ("窗口单位", "工单数", "得分", "排名")
    table = TableSpec(title="2024年第一季度窗口考核得分及排名", annex="附件1", ruling="horizontal",
                      header=[[H(x) for x in label + label]], rows=rows)
    return BulletinSpec(
        issuer="某某市行政审批服务局", doc_number="某审批〔2024〕12号", title="关于2024年第一季度窗口考核情况的通报",
        issue_date="2024年4月10日", signature="某某市行政审批服务局",
        paragraphs=["各窗口单位：", f"一季度共考核窗口 {len(records)} 个，考核结果见附件1。"],
        tables=[table],
    )


def wrapped_names_bulletin(seed: int = 13) -> BulletinSpec:
    """A letters report whose table has no rules at all, county names wrapped in a narrow first column,
    running onto the next page."""
    rng = random.Random(seed)
    rows = []
    for county in COUNTIES:
        handled = rng.randint(20, 140)
        on_time = handled - rng.randint(0, 6)
        rows.append([county, str(handled), str(on_time), _rate(on_time, handled)])
    table = TableSpec(title="各县（市、区）来信办理情况", annex=None, ruling="none", header=[[H(x) for x in (
        "县（市、区）", "转办件数", "按期办结", "按期办结率")]], rows=rows, col_widths=[2.2, 2, 2, 2], after_paragraph=0)
    return BulletinSpec(
        issuer="某某市人民政府办公室", doc_number="某府办〔2023〕41号", title="2023年第三季度市长信箱来信办理情况通报",
        issue_date="2023年10月12日", signature="某某市人民政府办公室",
        paragraphs=["三季度各县（市、区）来信办理情况如下：", "请各地对照问题抓好整改。"], tables=[table],
    )


def three_line_bulletin(seed: int = 14) -> BulletinSpec:
    """A 好差评 assessment: a three-line table (top, under the header, bottom) with a two-level header
    stating maximum points and a 得分 column."""
    rng = random.Random(seed)
    rows = []
    for unit in UNITS[:10]:
        parts = [round(rng.uniform(20, 25), 1), round(rng.uniform(20, 25), 1), round(rng.uniform(15, 20), 1),
                 round(rng.uniform(24, 30), 1)]
        rows.append([unit] + [f"{p:.1f}" for p in parts] + [f"{sum(parts):.1f}"])
    header = [[H("单位", rowspan=2), H("评价情况(50分)", colspan=2), H("整改情况(50分)", colspan=2), H("得分", rowspan=2)],
              [H("主动评价率(25分)"), H("好评率(25分)"), H("差评回访(20分)"), H("整改到位(30分)")]]
    table = TableSpec(title="2024年第三季度各单位“好差评”考评得分", annex=None, ruling="three-line", header=header,
                      rows=rows, after_paragraph=0)
    return BulletinSpec(
        issuer="某某市政务服务管理局", doc_number="某政务〔2024〕30号", title="2024年第三季度政务服务“好差评”通报",
        issue_date="2024年10月9日", signature="某某市政务服务管理局",
        paragraphs=["按照考评细则，各单位考评得分如下。", "请各单位对照差评认真整改。"], tables=[table],
    )


def elsewhere_examples() -> dict[str, BulletinSpec]:
    """The bulletins laid out as other offices lay them out, by short name."""
    return {"totals_first": totals_first_bulletin(), "record_pairs": record_pairs_bulletin(),
            "wrapped_names": wrapped_names_bulletin(), "three_line": three_line_bulletin()}
