"""Header rows whose merged cells are written once: a text layer prints a label that spans several
columns (考核项目及分值 over six) or several rows (序号, 合计得分, 排名) once, so its header rows are
shorter than the body and their cells no longer stand over their columns.

The grid is rebuilt as the one tree that fits: each label of a row is either a column of its own
(spanning the rows below) or a group over a run of the next row's labels, so that the columns add
up to the body's width. Among the trees that fit, the one whose stated points agree (日常考核(60分)
over 20 + 25 + 15 分), whose kinds of label suit their place (序号 and 排名 stand alone, groups hold
leaves) and whose columns suit the values under them is taken; when two fit equally well the
header is left as printed, and the checks see it as it is.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from ..normalize.numbers import parse_number
from .headers import PERCENT_LABEL as RATE, RANK_LABEL as RANK, bare_label, clean_header, is_total_label, max_points
from .tables import ENTITY_HEADER, INDEX_HEADER


def _standalone(label: str) -> bool:
    """A label that heads one column across the header rows: a running number, a rank, the column
    naming the row (部门, 单位, 县(市、区) …), a remark."""
    return bool(INDEX_HEADER.match(label) or ENTITY_HEADER.search(label) or NOTE_LABEL.match(label))

MAX_CANDIDATES = 20000  # trees tried before a header is left as printed
NOTE_LABEL = re.compile(r"^备注$")
POINTS_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Node:
    label: str
    children: tuple["Node", ...] = ()

    def leaves(self, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
        here = path + (self.label,)
        if not self.children:
            return [here]
        return [leaf for child in self.children for leaf in child.leaves(here)]


def written_once(rows: list[list[str]], width: int) -> bool:
    """Header rows that cannot be positional: shorter than the body, with no blank cells holding places."""
    trimmed = [_trim(r) for r in rows]
    return len(trimmed) >= 2 and all(trimmed) and any(len(r) < width for r in trimmed) \
        and all(all(c for c in r) for r in trimmed) and len(trimmed[-1]) <= width


def expand_header(rows: list[list[str]], body: list[list[str]], width: int) -> list[list[str]]:
    """A positional header grid (label at the first column of its span, "" where it continues) for
    header rows written once; the rows as printed when they are positional or no tree fits best."""
    if not written_once(rows, width):
        return rows
    levels = [[clean_header(c) for c in _trim(r)] for r in rows]
    best, best_score, tied = None, None, False
    for tree in itertools.islice(_trees(levels, width), MAX_CANDIDATES):
        score = _score(tree, body)
        if best_score is None or score > best_score + 1e-9:
            best, best_score, tied = tree, score, False
        elif abs(score - best_score) <= 1e-9:
            tied = True
    if best is None or tied:
        return rows
    return _grid(best, len(levels))


def _trim(row: list[str]) -> list[str]:
    row = [c.strip() for c in row]
    while row and not row[-1]:
        row.pop()
    return row


def _trees(levels: list[list[str]], width: int):
    """Every forest over the levels whose leaves number `width`."""
    depth = len(levels)

    # level by level from the bottom: the last row's labels are leaves; each row above chooses which
    # of its labels stand alone and how the row below is split among the others
    def above(level: int, nodes_below: list[Node]):
        labels = levels[level]
        n = len(labels)
        for k in range(0, n + 1):  # k labels are groups, n - k stand alone
            if k == 0 and nodes_below:
                continue
            if k > len(nodes_below):
                break
            for groups in itertools.combinations(range(n), k):
                for cuts in itertools.combinations(range(1, len(nodes_below)), k - 1):
                    bounds = (0,) + cuts + (len(nodes_below),)
                    runs = [tuple(nodes_below[a:b]) for a, b in zip(bounds, bounds[1:])]
                    it = iter(runs)
                    yield [Node(lab, next(it)) if i in groups else Node(lab) for i, lab in enumerate(labels)]

    def walk(level: int, nodes: list[Node]):
        if level < 0:
            if sum(len(node.leaves()) for node in nodes) == width:
                yield nodes
            return
        for forest in above(level, nodes):
            yield from walk(level - 1, forest)

    yield from walk(depth - 2, [Node(lab) for lab in levels[-1]])


def _score(forest: list[Node], body: list[list[str]]) -> float:
    score = 0.0
    for node in forest:
        score += _node_score(node, top=True)
    leaves = [leaf for node in forest for leaf in node.leaves()]
    for col, path in enumerate(leaves):
        score += _values_score(path[-1], [row[col] for row in body if col < len(row)])
    return score


def _node_score(node: Node, top: bool) -> float:
    """Stated points that agree, labels in a place that suits them."""
    score = 0.0
    label = bare_label(node.label)
    if node.children:
        if _standalone(label) or is_total_label(node.label) or RANK.search(label):
            score -= 3.0
        points = max_points(node.label)
        parts = [max_points(c.label) for c in node.children]
        if points is not None and parts and all(p is not None for p in parts):
            score += 3.0 if abs(sum(parts) - points) <= POINTS_TOLERANCE else -3.0
        for child in node.children:
            score += _node_score(child, top=False)
    elif top and (_standalone(label) or is_total_label(node.label) or RANK.search(label)):
        score += 1.0
    return score


def _values_score(label: str, texts: list[str]) -> float:
    """How well a column's values suit its label: within its maximum, ranks 1..n, rates to 100,
    names where a name is expected."""
    texts = [t.strip() for t in texts if t and t.strip()]
    if not texts:
        return 0.0
    nums = [parse_number(t) for t in texts]
    numeric = [n for n in nums if n is not None]
    bare = bare_label(label)
    share = len(numeric) / len(texts)
    if ENTITY_HEADER.search(bare) and not INDEX_HEADER.match(bare):
        return 1.0 if share < 0.5 else -1.0
    if not numeric:
        return -1.0
    ceiling = max_points(label)
    if RANK.search(bare):
        ranks = sorted(n.value for n in numeric)
        whole = all(float(v).is_integer() and 1 <= v <= len(texts) for v in ranks)
        return 1.0 if whole else -1.0
    if ceiling is not None:
        within = sum(0 <= n.value <= ceiling + POINTS_TOLERANCE for n in numeric) / len(numeric)
        return 2.0 * within - 1.0
    if RATE.search(bare):
        within = sum(n.unit == "%" or 0 <= n.value <= 100 for n in numeric) / len(numeric)
        return 2.0 * within - 1.0
    return 0.0


def _grid(forest: list[Node], depth: int) -> list[list[str]]:
    """The forest as positional header rows: a label at the first column it spans."""
    leaves = [leaf for node in forest for leaf in node.leaves()]
    grid = [[""] * len(leaves) for _ in range(depth)]
    col = 0
    for node in forest:
        _place(node, grid, 0, col, depth)
        col += len(node.leaves())
    return grid


def _place(node: Node, grid: list[list[str]], level: int, col: int, depth: int) -> None:
    grid[level][col] = node.label
    for child in node.children:
        _place(child, grid, level + 1, col, depth)
        col += len(child.leaves())
