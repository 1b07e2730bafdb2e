"""Example bulletin specs for tests and the corpus: invented cities, names and numbers whose
totals, percentages and scoring rules are consistent, so any finding on them is an extraction bug.

Each builder is deterministic (a seeded Random); `examples()` returns them all by name.
"""
from __future__ import annotations

import random

from .spec import BulletinSpec, HeaderCell as H, TableSpec

DEPARTMENTS = [
    "市自然资源局（含市不动产登记中心）", "市住建局（含市房屋交易中心）", "市城管局", "市交通运输局",
    "市发改委", "市水利局", "市市场监管局", "市生态环境局", "国网供电公司", "市人防办",
    "市消防救援支队", "市气象局", "市工信局", "自来水公司", "广电网络分公司", "市公交集团",
    "市燃气公司", "市公安局（含出入境支队、治安支队和驾管中心）", "市民政局（含市婚姻登记服务中心）",
    "市税务局", "市林业局", "市教育局", "市文旅局", "市科技局", "市卫健委", "市农业农村局",
    "市司法局", "市应急局", "市财政局（含市公积金管理中心）",
    "市人社局（含市社保中心、机关社保中心、就业中心和人才中心）", "市商务局", "市地方金融监管局",
    "市残疾人联合会", "市公证处", "市烟草局", "市体育局", "市无线电管理局", "市档案局",
    "市医保中心", "市退役军人事务局", "市民宗局", "市侨办", "市统计局", "市审计局", "市国资委",
    "市海洋渔业局", "市粮食和物资储备局", "市口岸办", "市邮政管理局", "市通信管理局", "市地震局",
    "市机关事务管理局", "市住房公积金中心", "市城建档案馆", "市建筑废土管理站", "市残疾人就业服务中心",
    "市测绘与基础地理信息中心", "市房屋事务中心", "市交通违法处理中心", "市不动产权属档案中心",
    "市中小企业服务中心", "市人才服务中心", "市政务服务保障中心", "市公共资源交易中心", "市行政审批服务局",
]

POINTS = [("“互联网+政务服务” (40分)", [("网厅办件", 15), ("全程网办事项", 10), ("电子证照", 10), ("邮寄办", 5)]),
          ("服务规范和评价 (30分)", [("行为规范", 10), ("领导值周", 5), ("评价器评价", 15)]),
          ("党建和信息宣传 (30分)", [("党建", 10), ("精神文明", 10), ("信息宣传", 10)])]
DUTY_TARGET, DUTY_PENALTY = 8, 0.5


def _num(tenths: int) -> str:
    """Tenths as printed in score tables: 148 -> "14.8", 100 -> "10"."""
    return str(tenths // 10) if tenths % 10 == 0 else f"{tenths / 10:.1f}"


def score_bulletin(seed: int = 1, n: int = 14) -> BulletinSpec:
    """Monthly window assessment: a 2-level score table with max points and a 合计 column, plus a
    two-pairs-wide duty table ruled with horizontal lines only and a note stating the scoring rule."""
    rng = random.Random(seed)
    names = DEPARTMENTS[:n]
    duty = {d: rng.choice([3, 5, 6, 7, 8, 8, 9, 9, 10, 12, 15]) for d in names}
    scored = []
    for d in names:
        vals = []
        for _group, items in POINTS:
            for item, top in items:
                if item == "领导值周":
                    v = max(0, top * 10 - int(DUTY_PENALTY * 10) * max(0, DUTY_TARGET - duty[d]))
                else:
                    v = rng.randint(top * 6, top * 10) if top > 5 else rng.randint(top * 8, top * 10)
                vals.append(v)
        bonus = rng.choice([0, 0, 2, 5, 10])
        scored.append((sum(vals) + bonus, d, vals, bonus))
    scored.sort(key=lambda t: -t[0])
    header = [[H("序号", rowspan=2), H("部门", rowspan=2)]
              + [H(g, colspan=len(items)) for g, items in POINTS]
              + [H("加分 (1分)", rowspan=2), H("合计", rowspan=2)],
              [H(f"{item} ({top}分)") for _g, items in POINTS for item, top in items]]
    rows = [[str(i + 1), d] + [_num(v) for v in vals] + [_num(b), f"{tot / 10:.1f}"]
            for i, (tot, d, vals, b) in enumerate(scored)]
    table = TableSpec(title="第一管理区窗口政务服务“好差评”5月考评表", annex="附件1", header=header, rows=rows,
                      col_widths=[2.2, 6] + [2.6] * 10 + [2.4, 2.8])
    by_duty = sorted(names, key=lambda d: -duty[d])
    half = (len(by_duty) + 1) // 2
    drows = []
    for i in range(half):
        right = by_duty[half + i] if half + i < len(by_duty) else None
        drows.append([by_duty[i], str(duty[by_duty[i]]), right or "", str(duty[right]) if right else ""])
    duty_table = TableSpec(title="5月中心窗口部门（单位）领导值周情况表", annex="附件2",
                           header=[[H("窗口单位"), H("值周情况(次)"), H("窗口单位"), H("值周情况(次)")]],
                           rows=drows, ruling="horizontal", col_widths=[5, 2, 5, 2],
                           note=f"说明：本月领导值周 {DUTY_TARGET} 次为达标，少一次扣 {DUTY_PENALTY} 分。")
    top3 = "、".join(r[1] for r in rows[:3])
    return BulletinSpec(
        issuer="江川市行政服务中心管委会", doc_number="江政务督〔2023〕7号",
        title="江川市行政服务中心管委会关于5月份政务服务“好差评”工作的通报", issue_date="2023年6月12日",
        red_header="江川市人民政府行政服务中心管委会文件", signature="江川市行政服务中心管委会",
        paragraphs=[
            "各入驻部门（单位）：",
            "根据5月份全市行政服务工作情况，市中心管委会组织政务服务“好差评”绩效考评，现将考评结果通报如下：",
            f"一、量化考评情况：根据 5 月份考评结果，得分前三名的窗口依次是{top3}。具体考评情况见附件1。",
            f"二、领导值周情况：本月领导值周 {DUTY_TARGET} 次为达标，少一次扣 {DUTY_PENALTY} 分，具体见附件2。",
            "附件：1. 第一管理区窗口政务服务“好差评”5月考评表",
            "2. 5月中心窗口部门（单位）领导值周情况表",
        ],
        tables=[table, duty_table],
    )


LEVELS = ["非常不满意", "不满意", "基本满意", "满意", "非常满意"]
DISTRICTS = ["云岭市直", "东城区", "西湖区", "南山区", "北塘区", "青石县", "白沙县"]


def _pct(part: int, total: int) -> str:
    """Percentage rounded to two decimals, as printed."""
    return f"{100 * part / total:.2f}%" if total else "0.00%"


def satisfaction_bulletin(seed: int = 2) -> BulletinSpec:
    """Quarterly 好差评 report: an inline table with a 3-level header (整体评价 → level → 评价数/百分比)
    whose column sums are restated in the narrative."""
    rng = random.Random(seed)
    rows, sums = [], [0] * 7
    for d in DISTRICTS:
        counts = [rng.randint(0, 3), rng.randint(0, 5), rng.randint(0, 40), rng.randint(5, 250)]
        counts.append(rng.randint(90_000, 1_100_000))
        total = sum(counts)
        active = total - rng.randint(300, 30_000)
        row = [d, str(total), str(active)]
        for c in counts:
            row += [str(c), _pct(c, total)]
        rows.append(row)
        for i, v in enumerate([total, active] + counts):
            sums[i] += v
    header = [[H("县（市、区）", rowspan=3), H("总评价数", rowspan=3), H("主动评价", rowspan=3),
               H("整体评价", colspan=10)],
              [H(lv, colspan=2) for lv in LEVELS],
              [H(x) for _ in LEVELS for x in ("评价数", "百分比")]]
    table = TableSpec(title="云岭市网上办事大厅“好差评”第一季度服务评价情况", annex=None, header=header,
                      rows=rows, after_paragraph=1)
    total, active, *lv = sums
    return BulletinSpec(
        issuer="云岭市行政审批管理局", doc_number="2023年第1期（总第13期）",
        title="云岭市政务服务“好差评”情况通报", issue_date="2023年4月20日", signature="云岭市行政审批管理局",
        paragraphs=[
            "一、企业群众评价情况",
            f"一季度我市全部评价数为 {total} 件，主动评价 {active} 件，主动评价率为 {_pct(active, total)}。"
            f"其中：非常满意 {lv[4]} 件，占比 {_pct(lv[4], total)}；满意 {lv[3]} 件，占比 {_pct(lv[3], total)}；"
            f"基本满意 {lv[2]} 件，占比 {_pct(lv[2], total)}。各区具体情况如下：",
            "二、下一步工作",
            "各单位要对照评价结果，及时整改差评问题，持续提升企业群众满意度。",
        ],
        tables=[table],
    )


def volume_bulletin(seed: int = 3, n: int = 62) -> BulletinSpec:
    """Monthly case volumes: a long one-level table (n departments and a 合计 row) that crosses pages,
    and a staff score table whose blank first-column cells mean "same as above"."""
    rng = random.Random(seed)
    names = (DEPARTMENTS * (n // len(DEPARTMENTS) + 1))[:n]
    names = [nm if i < len(DEPARTMENTS) else f"{nm}（{i // len(DEPARTMENTS) + 1}）" for i, nm in enumerate(names)]
    data = []
    for d in names:
        v = [rng.choice([0, 0, rng.randint(1, 6000)]), rng.choice([0, rng.randint(1, 30000)]),
             rng.choice([0, 0, rng.randint(1, 20000)]), rng.choice([0, 0, 0, rng.randint(1, 900)])]
        data.append((sum(v), d, v))
    data.sort(key=lambda t: -t[0])
    rows = [[d] + [str(x) for x in v] + [str(t)] for t, d, v in data]
    cols = [sum(t[2][i] for t in data) for i in range(4)]
    rows.append(["合计"] + [str(c) for c in cols] + [str(sum(cols))])
    vol = TableSpec(title="2021年3月份派驻部门窗口办件量统计", annex="附件1", unit="单位：件",
                    header=[[H(x) for x in ("部门", "行政审批", "便民服务", "公共服务", "收费", "合计")]], rows=rows)
    staff_rows, k = [], 0
    for d in rng.sample(DEPARTMENTS[:20], 6):
        for j in range(rng.randint(1, 4)):
            k += 1
            s = [40 - rng.choice([0, 0, 0, 1, 10]), 30, 20, 10, rng.choice([0, 0, 1, 2])]
            staff_rows.append(["" if j else d, f"A{k:02d}"] + [str(x) for x in s] + [str(sum(s))])
    staff = TableSpec(title="2021年3月份派驻窗口工作人员考核统计", annex="附件2", merge_blanks=True,
                      header=[[H(x) for x in ("部门名称", "窗口号", "工作纪律 (40分)", "人员出勤 (30分)",
                                               "规范服务 (20分)", "综合评议 (10分)", "加分 (10分)", "得分")]],
                      rows=staff_rows)
    top5 = "、".join(t[1] for t in data[:5])
    return BulletinSpec(
        issuer="清河区政务服务管理办公室", doc_number="清政管办发〔2021〕15号",
        title="区政务服务中心3月份派驻部门窗口办件情况通报", issue_date="2021年4月8日",
        red_header="清河区政务服务管理办公室文件", signature="区政务服务管理办公室",
        paragraphs=[
            "区直有关部门、上级驻清河有关单位，中心各窗口：",
            f"3 月份，中心窗口办件总量 {sum(cols)} 件，其中行政审批类 {cols[0]} 件、便民服务类 {cols[1]} 件、"
            f"公共服务类 {cols[2]} 件、收费类 {cols[3]} 件。办件量排名前五名的部门窗口依次为：{top5}。"
            "具体窗口办件量见附件 1，工作人员考核情况见附件 2。",
        ],
        tables=[vol, staff],
    )


def examples() -> dict[str, BulletinSpec]:
    """All example bulletins by short name."""
    return {"score": score_bulletin(), "satisfaction": satisfaction_bulletin(), "volume": volume_bulletin()}
