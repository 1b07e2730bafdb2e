"""The rule engine: a formula over named columns, checked on every row of the tables it names.

Rules come from a user's YAML file or from the document itself (stated_rules.py turns a note such
as "8 次为达标，少一次扣 0.5 分" into a Rule), and both run here. A formula is a Python-like
expression whose names are column labels (Chinese labels are valid names; other labels can be
written col("网厅办件(15分)")), compared with ==, <=, >=, <, >; == allows the rule's tolerance.
"""
from __future__ import annotations

import ast
import math
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..yamlfile import load_yaml
from ..extract.headers import bare_label, clean_header
from ..model import Column, Document, Finding, Table
from .results import failed, passed
from .tableview import cell_at, is_total_row, location

SEVERITIES = ("error", "warning", "info")
_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_CMPOPS = {ast.Eq: "==", ast.LtE: "<=", ast.GtE: ">=", ast.Lt: "<", ast.Gt: ">"}
_ALLOWED = (ast.Compare, ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Constant, ast.Load, ast.USub, ast.UAdd,
            *_BINOPS, *_CMPOPS)
_FUNCS = {"max": max, "min": min, "abs": abs, "round": round}
_ARITY = {"max": (1, 8), "min": (1, 8), "abs": (1, 1), "round": (1, 2), "col": (1, 1)}  # (fewest, most) arguments
# bounds that keep a rule file from stalling or exhausting a run (a rule is data, possibly not the user's own)
MAX_FORMULA_CHARS = 500
MAX_NODES = 200
MAX_DEPTH = 24
MAX_CONSTANT = 1e12
MAX_ROUND_DIGITS = 10
MAX_PATTERN_CHARS = 200
MAX_LABEL_CHARS = 200  # a row label longer than this is cut before a `rows:` pattern reads it
# a quantified group that itself holds a quantifier ((a+)+, (a|aa)*): backtracking can take exponential time
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d*,)")


class RuleError(ValueError):
    """A rule file or formula that cannot be used; the message says which rule and why."""


@dataclass
class Join:
    """Values looked up by row label in another table, available to the formula under `name`."""

    table: str  # table_id, annex or a word of the title
    column: str
    name: str


@dataclass
class Rule:
    name: str
    formula: str
    table: str | None = None  # table_id, annex ("附件3") or a word of the title; None: every table with the columns
    rows: str | None = None  # regex on the row label; default: every row but 合计 rows
    tolerance: float = 0.0
    severity: str = "error"
    source: str = "user"  # "user" or "document"
    joins: list[Join] = field(default_factory=list)
    check: str = "user_rule"

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise RuleError(f"rule {self.name!r}: severity must be one of {SEVERITIES}")
        if len(self.formula) > MAX_FORMULA_CHARS:
            raise RuleError(f"rule {self.name!r}: formula longer than {MAX_FORMULA_CHARS} characters")
        try:
            tree = ast.parse(self.formula, mode="eval").body
        except SyntaxError as exc:
            raise RuleError(f"rule {self.name!r}: formula {self.formula!r} is not an expression: {exc.msg}") from exc
        except (RecursionError, MemoryError, ValueError) as exc:
            raise RuleError(f"rule {self.name!r}: formula nested too deeply to read") from exc
        if not isinstance(tree, ast.Compare) or len(tree.ops) != 1 or type(tree.ops[0]) not in _CMPOPS:
            raise RuleError(f"rule {self.name!r}: formula must be one comparison (==, <=, >=, <, >)")
        _check_size(self.name, tree)
        for node in ast.walk(tree):
            if not isinstance(node, _ALLOWED):
                raise RuleError(f"rule {self.name!r}: {type(node).__name__} is not allowed in a formula")
            if isinstance(node, ast.Call):
                _check_call(self.name, node)
            if isinstance(node, ast.Constant) and not _col_argument(tree, node):
                v = node.value
                if isinstance(v, bool) or not isinstance(v, (int, float)) or abs(v) > MAX_CONSTANT:
                    raise RuleError(f"rule {self.name!r}: {ast.unparse(node)} is not a number up to {MAX_CONSTANT:g}")
        if self.rows is not None:
            _check_pattern(self.name, self.rows)
        self._tree = tree
        self._sides = (ast.unparse(tree.left), _CMPOPS[type(tree.ops[0])], ast.unparse(tree.comparators[0]))


def _check_size(name: str, tree: ast.AST) -> None:
    """At most MAX_NODES nodes, nested at most MAX_DEPTH deep."""
    stack, count = [(tree, 1)], 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH or count > MAX_NODES:
            raise RuleError(f"rule {name!r}: formula too large (at most {MAX_NODES} terms, nested {MAX_DEPTH} deep)")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _check_call(name: str, node: ast.Call) -> None:
    """Only the allowed functions, with as many arguments as they take; col() of a label."""
    func = node.func.id if isinstance(node.func, ast.Name) else None
    if func not in _ARITY or node.keywords:
        raise RuleError(f"rule {name!r}: only {', '.join(sorted(_FUNCS))} and col() may be called, without keywords")
    low, high = _ARITY[func]
    if not low <= len(node.args) <= high:
        raise RuleError(f"rule {name!r}: {func}() takes {low} to {high} arguments, not {len(node.args)}")
    if func == "col" and not (isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                              and node.args[0].value.strip()):
        raise RuleError(f"rule {name!r}: col() takes a column's label, as in col(\"网厅办件(15分)\")")
    if func == "round" and len(node.args) == 2 and not (
            isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, int)
            and 0 <= node.args[1].value <= MAX_ROUND_DIGITS):
        raise RuleError(f"rule {name!r}: round()'s digits must be a whole number from 0 to {MAX_ROUND_DIGITS}")


def _col_argument(tree: ast.AST, node: ast.Constant) -> bool:
    """The constant is the label given to col()."""
    return any(isinstance(n, ast.Call) and getattr(n.func, "id", "") == "col" and n.args and n.args[0] is node
               for n in ast.walk(tree))


def _check_pattern(name: str, pattern: str) -> None:
    """A `rows:` pattern that compiles and cannot backtrack for ever (no quantified group holding a
    quantifier, as in (a+)+)."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise RuleError(f"rule {name!r}: rows pattern longer than {MAX_PATTERN_CHARS} characters")
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise RuleError(f"rule {name!r}: rows pattern {pattern!r} is not a regular expression: {exc}") from exc
    if _NESTED_QUANTIFIER.search(pattern):
        raise RuleError(f"rule {name!r}: rows pattern {pattern!r} repeats a group that repeats (such as (a+)+), "
                        "which can take exponential time; write it without the nesting")


def load_rules(path: str | Path) -> list[Rule]:
    """Rules from a YAML file: a list (or {rules: [...]}) of name, formula, table, rows, tolerance, severity, join."""
    data = load_yaml(path) or []
    items = data.get("rules", []) if isinstance(data, dict) else data
    rules = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict) or "formula" not in item:
            raise RuleError(f"{path}: rule {i} needs at least a formula")
        joins = [Join(j["table"], j["column"], j["as"]) for j in item.get("join", [])]
        rules.append(Rule(name=str(item.get("name", f"rule {i}")), formula=str(item["formula"]), table=item.get("table"),
                          rows=item.get("rows"), tolerance=float(item.get("tolerance", 0)),
                          severity=item.get("severity", "error"), joins=joins))
    return rules


def _table_matches(table: Table, selector: str | None) -> bool:
    if selector is None:
        return True
    return selector in (table.table_id, table.annex) or selector in (table.title or "")


def _resolve(table: Table, name: str) -> Column | None:
    """A column by its label as printed, its label without notes, or a unique level of its header path."""
    exact = [c for c in table.columns if c.path and (clean_header(c.path[-1]) == name or bare_label(c.path[-1]) == name)]
    if len(exact) == 1:
        return exact[0]
    anywhere = [c for c in table.columns if any(bare_label(p) == name for p in c.path)]
    return anywhere[0] if len(anywhere) == 1 else None


def _names(tree: ast.AST) -> set[str]:
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in _FUNCS and n.id != "col"}
    names |= {n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "col"
              and n.args and isinstance(n.args[0], ast.Constant)}
    return names


def _eval(node: ast.AST, env: dict[str, float]) -> float:
    value = _eval_node(node, env)
    if not math.isfinite(value):
        raise OverflowError(f"{ast.unparse(node)} is not a finite number")
    return value


def _eval_node(node: ast.AST, env: dict[str, float]) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _BINOPS[type(node.op)](_eval(node.left, env), _eval(node.right, env))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, env)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "col":
            return env[node.args[0].value]
        if node.func.id in _FUNCS:
            return float(_FUNCS[node.func.id](*(_eval(a, env) for a in node.args)))
    raise RuleError(f"unsupported expression: {ast.unparse(node)}")


def _holds(op: str, left: float, right: float, tol: float) -> bool:
    tol += 1e-9
    return {"==": abs(left - right) <= tol, "<=": left <= right + tol, ">=": left >= right - tol,
            "<": left < right + tol, ">": left > right - tol}[op]


def _lookup(doc: Document, join: Join) -> dict[str, tuple[float, object, Table]] | None:
    for t in doc.tables:
        if _table_matches(t, join.table):
            col = _resolve(t, join.column)
            if col is None:
                continue
            return {c.row_label: (c.value, c, t) for r in t.rows for c in r if c.col == col.index and c.value is not None}
    return None


def run_rule(doc: Document, rule: Rule) -> list[Finding]:
    tree = rule._tree
    names = _names(tree) - {j.name for j in rule.joins}
    lookups = {j.name: _lookup(doc, j) for j in rule.joins}
    if any(v is None for v in lookups.values()):
        return []
    out = []
    for table in doc.tables:
        if not _table_matches(table, rule.table):
            continue
        cols = {n: _resolve(table, n) for n in names}
        if any(c is None for c in cols.values()):
            continue
        for r in range(table.n_rows):
            if rule.rows is None and is_total_row(table, r):
                continue
            cells = {n: cell_at(table, r, c.index) for n, c in cols.items()}
            label = next((c.row_label for c in cells.values() if c is not None), "")
            if rule.rows is not None and not re.search(rule.rows, label[:MAX_LABEL_CHARS]):
                continue
            if any(c is None or c.value is None for c in cells.values()):
                continue
            env = {n: c.value for n, c in cells.items()}
            joined = []
            for jname, table_values in lookups.items():
                if label not in table_values:
                    break
                env[jname] = table_values[label][0]
                joined.append(table_values[label])
            else:
                try:
                    out.append(_verdict(doc, rule, tree, env, table, cells, joined, label))
                except ArithmeticError as exc:  # 0 in a divisor: this row cannot be judged, the others can
                    out.append(Finding(doc.doc_id, rule.check, "info", f"「{label}」规则「{rule.name}」无法计算: {exc}",
                                       locations=[location(table, c) for c in cells.values()]))
    return out


def _verdict(doc, rule, tree, env, table, cells, joined, label) -> Finding:
    left_text, op, right_text = rule._sides
    left, right = _eval(tree.left, env), _eval(tree.comparators[0], env)
    values = ", ".join(f"{k}={v:g}" for k, v in env.items())
    arithmetic = f"{left_text} {op} {right_text}: {left:g} {op} {right:g} ({values})"
    locs = [location(table, c) for c in cells.values()] + [location(t, c) for _, c, t in joined]
    unsure = any(c.unsure for c in cells.values())
    msg = f"「{label}」规则「{rule.name}」: {left:g} {op} {right:g}"
    if _holds(op, left, right, rule.tolerance):
        return passed(doc.doc_id, rule.check, msg + " 成立", right, left, rule.tolerance, locs, arithmetic)
    severity = "info" if unsure else rule.severity
    note = "（该行取值位置不确定）" if unsure else ""
    return failed(doc.doc_id, rule.check, msg + f" 不成立{note}", right, left, rule.tolerance, locs, arithmetic, severity=severity)


def run_rules(doc: Document, rules: list[Rule]) -> list[Finding]:
    """Every rule on the document; a rule that cannot be evaluated (a division by zero, say) says so."""
    out = []
    for rule in rules:
        try:
            out.extend(run_rule(doc, rule))
        except (RuleError, KeyError, ValueError) as exc:
            out.append(Finding(doc.doc_id, rule.check, "info", f"规则「{rule.name}」无法计算: {type(exc).__name__}: {exc}"))
    return out
