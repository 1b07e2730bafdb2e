"""Hypothesis strategies that build bulletin table specs: header trees, names, numbers, blanks."""
from hypothesis import strategies as st

from tongbao.render.spec import HeaderCell, TableSpec

DEPARTMENTS = ["市人社局", "市医保局", "市公安局(含出入境支队)", "市自然资源和规划局", "市住建局", "市税务局",
               "行政审批服务局", "市场监督管理局", "公积金服务中心", "不动产登记交易中心", "市民政局(含婚姻登记服务中心)",
               "市交通运输局", "市卫健委", "市生态环境局", "市司法局", "市商务局", "市水利局", "市林业局",
               "供电公司", "燃气公司", "广电网络", "邮政快递", "市档案局", "市气象局", "市文旅局", "市教育局"]
GROUPS = ["办件管理", "服务评价", "窗口建设", "作风纪律", "网上服务"]
LEAVES = ["网厅办件", "电子证照", "并联审批", "星级达标", "行为规范", "党建工作", "信息宣传", "办理实例", "材料电子化", "出勤情况"]


@st.composite
def score_tables(draw, min_rows=2, max_rows=40, min_depth=1, group_points=False):
    """A score table: 部门 + groups of leaves (1 to 3 header levels), optional 合计, blank 'same as above' names;
    with `group_points`, each group states its maximum (the sum of its leaves'), as "办件管理(25分)"."""
    depth = draw(st.integers(min_value=min_depth, max_value=3))
    n_groups = draw(st.integers(min_value=1, max_value=3))
    leaves_per = [draw(st.integers(min_value=1, max_value=3)) for _ in range(n_groups)]
    leaf_pool = iter(draw(st.permutations(LEAVES)))
    group_pool = iter(draw(st.permutations(GROUPS)))
    with_points = group_points or draw(st.booleans())
    maxima, leaves, groups = [], [], []
    for g, k in enumerate(leaves_per):
        group_leaves = []
        for _ in range(k):
            m = draw(st.integers(min_value=1, max_value=30))
            maxima.append(m)
            group_leaves.append(f"{next(leaf_pool)}({m}分)" if with_points else next(leaf_pool))
        leaves.append(group_leaves)
        group = next(group_pool)
        groups.append(f"{group}({sum(maxima[-k:])}分)" if group_points else group)
    total = draw(st.booleans())
    n_leaf = sum(leaves_per)
    label_rowspan = depth
    header: list[list[HeaderCell]] = []
    if depth == 1:
        header = [[HeaderCell("部门")] + [HeaderCell(x) for gl in leaves for x in gl] + ([HeaderCell("合计")] if total else [])]
    else:
        top = [HeaderCell("部门", rowspan=label_rowspan)]
        if depth == 3:
            top.append(HeaderCell("考核项目", colspan=n_leaf))
            mid = [HeaderCell(g, colspan=len(gl)) for g, gl in zip(groups, leaves)]
        else:
            top += [HeaderCell(g, colspan=len(gl)) for g, gl in zip(groups, leaves)]
            mid = None
        if total:
            top.append(HeaderCell("合计", rowspan=label_rowspan))
        header.append(top)
        if mid:
            header.append(mid)
        header.append([HeaderCell(x) for gl in leaves for x in gl])
    n_rows = draw(st.integers(min_value=min_rows, max_value=max_rows))
    rows = []
    for i in range(n_rows):
        vals = [draw(st.integers(min_value=0, max_value=m)) for m in maxima]
        name = DEPARTMENTS[i % len(DEPARTMENTS)] + ("" if i < len(DEPARTMENTS) else str(i // len(DEPARTMENTS)) + "分中心")
        if i > 0 and draw(st.integers(min_value=0, max_value=4)) == 0:
            name = ""  # same as the row above
        row = [name] + [str(v) for v in vals] + ([str(sum(vals))] if total else [])
        rows.append(row)
    return TableSpec(title=draw(st.sampled_from(["窗口考核统计表", "派驻部门窗口考核情况", "月度考评表"])),
                     annex=f"附件{draw(st.integers(min_value=1, max_value=9))}", header=header, rows=rows)


COUNT_PARTS = ["已办结", "办理中", "已退回", "已转办"]
UNITS = ["东城区", "西城区", "南湖区", "北山区", "临江县", "青石县", "市人社局", "市场监管局", "市住建局",
         "市城市管理和综合执法局", "国家税务总局某某市税务局", "市住房公积金管理中心", "市交通运输局", "市医保局"]


@st.composite
def count_tables(draw, rulings=("full", "horizontal", "three-line", "outer", "none")):
    """A case-volume table as hotlines print it: 单位, a 总件数 column first or last, its parts, an
    optional 办结率 (已办结 / 总件数), an optional 合计 row; every total consistent."""
    parts = COUNT_PARTS[:draw(st.integers(min_value=2, max_value=4))]
    total_first = draw(st.booleans())
    with_rate = draw(st.booleans())
    units = draw(st.lists(st.sampled_from(UNITS), min_size=2, max_size=len(UNITS), unique=True))
    rows, sums = [], [0] * len(parts)
    for unit in units:
        values = [draw(st.integers(min_value=1 if i == 0 else 0, max_value=2000)) for i in range(len(parts))]
        rows.append((unit, values))
        sums = [a + b for a, b in zip(sums, values)]
    if draw(st.booleans()):
        rows.append(("合计", sums))

    def line(name: str, values: list[int]) -> list[str]:
        total = str(sum(values))
        cells = [total] + [str(v) for v in values] if total_first else [str(v) for v in values] + [total]
        rate = [f"{100 * values[0] / sum(values):.1f}%"] if with_rate else []
        return [name] + cells + rate

    labels = ["总件数"] + parts if total_first else parts + ["总件数"]
    header = [[HeaderCell(x) for x in ["承办单位"] + labels + (["办结率"] if with_rate else [])]]
    return TableSpec(title="承办单位工单办理情况", annex=None, header=header, rows=[line(n, v) for n, v in rows],
                     ruling=draw(st.sampled_from(rulings)), caption_below=draw(st.booleans()))
