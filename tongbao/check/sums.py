"""Row sums against a 合计/得分 column and column sums against a 合计 row.

Which columns a row total adds up is not always "all of them": under a multi-level header
(整体评价 → 非常满意 … → 评价数 / 百分比) it is the leaves sharing one label. The set that
reconciles the most rows is taken as the table's rule; every row is then checked against it.
"""
from __future__ import annotations

import math
from collections import defaultdict

from ..model import Column, Finding, Table
from .intervals import sum_tolerance
from .tableview import (body_rows, cell_at, column_values, is_percent_column, is_quantity_column, label_of, location,
                        total_column, total_rows, value_columns)
from ..extract.placement import NO_FIT
from .explain import explain_sum
from .kinds import SERIAL_LABEL, is_count_column
from .results import failed, passed, undecided

TOTAL_NAMES = ("合计", "总计", "总分", "得分")


def addend_sets(table: Table, total: Column) -> list[list[Column]]:
    """Candidate sets of columns a row total may add up, most inclusive first; a set has two columns at
    least (one column "adding up" to the total is an equality, not a sum)."""
    cols = [c for c in value_columns(table) if c.index != total.index and is_quantity_column(table, c)
            and not (c.path and label_of(c) in TOTAL_NAMES) and not (c.path and SERIAL_LABEL.match(label_of(c)))]
    sets = [cols] if len(cols) >= 2 else []
    by_leaf: dict[str, list[Column]] = defaultdict(list)
    for c in cols:
        if len(c.path) >= 2:
            by_leaf[c.path[-1]].append(c)
    sets.extend(group for group in by_leaf.values() if len(group) >= 2 and group != cols)
    # a total printed with decimals is never the sum of whole numbers only (考核得分 98.6 of 工单数)
    if _has_decimals(table, total):
        sets = [s for s in sets if any(_has_decimals(table, c) for c in s)]
    return sets


def _has_decimals(table: Table, col: Column) -> bool:
    return any((c.decimals or 0) > 0 for c in column_values(table, col.index))


def _row_sum(table: Table, row: int, cols: list[Column], total: Column):
    tcell = cell_at(table, row, total.index)
    if tcell is None or tcell.value is None:
        return None
    parts = [c for col in cols if (c := cell_at(table, row, col.index)) is not None and c.value is not None]
    if not parts:
        return None
    expected = sum(p.value for p in parts)
    tol = sum_tolerance([p.decimals or 0 for p in parts], tcell.decimals or 0)
    return expected, tcell, parts, tol


def _best_set(table: Table, total: Column, rows: list[int]):
    best, best_hits = None, -1
    for cols in addend_sets(table, total):
        hits = 0
        for r in rows:
            s = _row_sum(table, r, cols, total)
            if s and math.isclose(s[0], s[1].value, abs_tol=s[3] + 1e-6):
                hits += 1
        if hits > best_hits:
            best, best_hits = cols, hits
    return best, best_hits


INFERRED_SHARE = 0.8  # an unlabelled column is taken for the rows' total when it is the sum in this share of rows
INFERRED_MIN_ROWS = 3
INFERRED_MAX_COLUMNS = 64  # beyond this many count columns no unlabelled total is looked for (the search is quadratic)


def inferred_total(table: Table) -> tuple[Column, list[Column], int, int] | None:
    """A column no label names as a total (工单量 beside 按期办结 / 超期办结 / 未办结) that equals the sum of
    the other count columns in most rows: (total, addends, rows that hold, rows checked)."""
    rows = [r for r in range(table.n_rows) if table.placement.get(r) != NO_FIT]
    found = []
    counts = [c for c in value_columns(table) if is_count_column(table, c)]  # once: each call reads the whole table
    if len(counts) > INFERRED_MAX_COLUMNS:
        return None
    for cand in counts:
        addends = [c for c in counts if c.index != cand.index]
        if len(addends) < 2:
            continue
        checked = hits = 0
        for r in rows:
            s = _row_sum(table, r, addends, cand)
            if s is None or len(s[2]) < len(addends):
                continue
            checked += 1
            hits += math.isclose(s[0], s[1].value, abs_tol=s[3] + 1e-6)
        if hits >= INFERRED_MIN_ROWS and hits >= INFERRED_SHARE * checked:
            found.append((cand, addends, hits, checked))
    return found[0] if len(found) == 1 else None


def check_row_sums(table: Table) -> list[Finding]:
    total = total_column(table)
    rows = [r for r in range(table.n_rows) if table.placement.get(r) != NO_FIT]
    assumed = None
    if total is None:
        inferred = inferred_total(table)
        if inferred is None:
            return []
        total, best, best_hits, checked = inferred
        assumed = (f"假定「{label_of(total)}」为其余各列之和（表头未标明合计；{checked} 行中 {best_hits} 行相符）")
    else:
        best, best_hits = _best_set(table, total, rows)
    if best is None:
        return []
    if best_hits == 0:
        return [undecided(table.doc_id, "row_sum", f"表「{table.title or table.table_id}」: 「{label_of(total)}」列与任何列组合之和都不相符，无法确定其计算口径",
                          locations=[{"table_id": table.table_id, "col": total.index, "header": total.header_path}])]
    out = []
    names = "+".join(label_of(c) for c in best[:6]) + ("…" if len(best) > 6 else "")
    for r in rows:
        s = _row_sum(table, r, best, total)
        if not s:
            continue
        expected, tcell, parts, tol = s
        arithmetic = " + ".join(p.text for p in parts) + f" = {_fmt(expected)}"
        locs = [location(table, p) for p in parts] + [location(table, tcell)]
        msg = f"「{tcell.row_label}」行: {names} = {_fmt(expected)}，表中「{label_of(total)}」为 {tcell.text}"
        if math.isclose(expected, tcell.value, abs_tol=tol + 1e-6):
            out.append(passed(table.doc_id, "row_sum", msg + (f"（{assumed}）" if assumed else ""), expected, tcell.value, tol, locs,
                              arithmetic=arithmetic))
            continue
        decimals = max([tcell.decimals or 0] + [p.decimals or 0 for p in parts])
        why = explain_sum(expected, tcell.value, decimals, [(label_of(table.columns[p.col]), p.value) for p in parts], "列")
        msg += f"；{why}" if why else ""
        if assumed:
            msg += f"；{assumed}"
        misread = ocr_doubt([tcell] + [c for col in best if (c := cell_at(table, r, col.index)) is not None])
        msg += misread
        out.append(failed(table.doc_id, "row_sum", msg, expected, tcell.value, tol, locs, arithmetic=arithmetic,
                          severity="warning" if assumed or misread else "error"))
    return out


def check_column_sums(table: Table) -> list[Finding]:
    out = []
    body = body_rows(table)
    for trow in total_rows(table):
        for col in value_columns(table):
            if not is_quantity_column(table, col):
                continue
            tcell = cell_at(table, trow, col.index)
            if tcell is None or tcell.value is None:
                continue
            parts = [c for r in body if r < trow and (c := cell_at(table, r, col.index)) is not None and c.value is not None]
            if not parts:
                continue
            expected = sum(p.value for p in parts)
            tol = sum_tolerance([p.decimals or 0 for p in parts], tcell.decimals or 0)
            ok = math.isclose(expected, tcell.value, abs_tol=tol + 1e-6)
            msg = f"「{label_of(col)}」列各行之和 = {_fmt(expected)}，合计行为 {tcell.text}"
            locs = [location(table, p) for p in parts] + [location(table, tcell)]
            arithmetic = " + ".join(p.text for p in parts) + f" = {_fmt(expected)}"
            if not ok:
                why = explain_sum(expected, tcell.value, max([tcell.decimals or 0] + [p.decimals or 0 for p in parts]),
                                  [(p.row_label, p.value) for p in parts])
                msg += f"；{why}" if why else ""
            misread = "" if ok else ocr_doubt([tcell] + [c for r in body if r < trow and (c := cell_at(table, r, col.index)) is not None])
            out.append((passed if ok else failed)(table.doc_id, "column_sum", msg + misread, expected, tcell.value, tol, locs,
                                                    arithmetic=arithmetic, **({"severity": "warning"} if misread else {})))
    return out


def ocr_doubt(cells) -> str:
    """A note when some of the cells were read by OCR with a low score (so a mismatch may be a misreading)."""
    doubtful = [c for c in cells if c.unsure and c.ocr_score is not None and c.text]
    return f"；其中 {len(doubtful)} 格文字识别存疑（{'、'.join(c.text for c in doubtful[:3])}），不能确定是文件本身不符" if doubtful else ""


def _fmt(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


WHOLE_PREFIX = "总"  # 总评价数 is the whole of every 评价 count in its row
MIN_CORE = 2


def _core_of_whole(label: str) -> str | None:
    """"总评价数" → "评价": what a column labelled 总X counts, or None when the label is not a whole."""
    if not label.startswith(WHOLE_PREFIX):
        return None
    core = label[len(WHOLE_PREFIX):].rstrip("数量")
    return core if len(core) >= MIN_CORE else None


def check_parts_within_whole(table: Table) -> list[Finding]:
    """A count of some kind of X never exceeds the row's 总X (用户评价 ≤ 总评价数)."""
    out = []
    for whole in value_columns(table):
        core = _core_of_whole(label_of(whole)) if whole.path else None
        if core is None or is_percent_column(table, whole):
            continue
        parts = [c for c in value_columns(table) if c.index != whole.index and not is_percent_column(table, c)
                 and any(core in p for p in c.path)]
        for r in range(table.n_rows):
            wcell = cell_at(table, r, whole.index)
            if wcell is None or wcell.value is None or wcell.unsure:
                continue
            held, broken = [], False
            for col in parts:
                cell = cell_at(table, r, col.index)
                if cell is None or cell.value is None or cell.unsure or cell.value < 0:
                    continue
                if cell.value > wcell.value:
                    out.append(failed(table.doc_id, "part_of_total",
                                      f"「{cell.row_label}」{col.header_path} {cell.text} 超过「{label_of(whole)}」{wcell.text}",
                                      expected=wcell.value, reported=cell.value, tolerance=0.0,
                                      locations=[location(table, cell), location(table, wcell)],
                                      arithmetic=f"{cell.text} > {wcell.text}"))
                    broken = True
                else:
                    held.append(cell)
            if held and not broken:
                out.append(passed(table.doc_id, "part_of_total",
                                  f"「{wcell.row_label}」{len(held)} 项均不超过「{label_of(whole)}」{wcell.text}",
                                  expected=wcell.value, reported=max(c.value for c in held), tolerance=0.0,
                                  locations=[location(table, c) for c in held] + [location(table, wcell)],
                                  arithmetic=" , ".join(f"{c.text} ≤ {wcell.text}" for c in held)))
    return out
