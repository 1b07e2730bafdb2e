"""The kind of a number, so that a rate, a rank, a score and a count are never divided by one another.

A narrative figure is a count when its unit counts things (件, 条, 人次 …), a rate when it is a
percentage that is not a change; a table column is a count column when it holds whole numbers and
is neither a rate, a rank, a score (a header with maximum points, 得分) nor a running number (序号).
"""
from __future__ import annotations

import re

from ..model import Column, Figure, Table
from .tableview import column_values, is_percent_column, is_rank_column, label_of

# unit → the family it is counted in: 3 人次 and 4 次 add up, 3 件 and 4 人 do not
COUNT_FAMILY = {"件": "件", "项": "项", "个": "个", "家": "家", "封": "封", "次": "次", "人次": "次", "人": "人",
                "名": "人", "位": "人", "条": "条", "户": "户", "份": "份", "笔": "笔", "起": "起", "面": "面"}
CHANGE_WORDS = ("增长", "增加", "上升", "提升", "提高", "下降", "减少", "降低", "回落", "同比", "环比", "比上", "较上", "相比")
SCORE_LABEL = re.compile(r"(得分|分值|分数|评分|总分)$")
SERIAL_LABEL = re.compile(r"^(序号|编号|序)$")


def count_family(fig: Figure) -> str | None:
    """The family of a count figure's unit, None when the figure is not a count."""
    return COUNT_FAMILY.get(fig.unit or "")


def is_change(fig: Figure) -> bool:
    return bool(fig.qualifier) and fig.qualifier in CHANGE_WORDS


def is_count(fig: Figure) -> bool:
    """A count of things (not a change, not a threshold)."""
    return count_family(fig) is not None and not is_change(fig) and not getattr(fig, "bound", None)


def is_rate(fig: Figure) -> bool:
    """A percentage stating a share or a rate, not a change and not a threshold (办结率均在95%以上)."""
    return fig.unit == "%" and not is_change(fig) and not getattr(fig, "bound", None)


def is_score_column(table: Table, col: Column) -> bool:
    """Points: a header stating maximum points, or labelled 得分 / 分值."""
    return col.max_points is not None or col.unit == "分" or bool(col.path and SCORE_LABEL.search(label_of(col)))


def is_count_column(table: Table, col: Column) -> bool:
    """Whole numbers of things: what a rate may divide, never a rate, a rank, a score or a 序号."""
    if col.index < table.label_cols or is_percent_column(table, col) or is_rank_column(col) or is_score_column(table, col):
        return False
    if col.path and SERIAL_LABEL.match(label_of(col)):
        return False
    values = column_values(table, col.index)
    return bool(values) and all((c.decimals or 0) == 0 and float(c.value).is_integer() and c.value >= 0 for c in values)
