"""Checks on one document's numbers. Each check is declared once in CHECKS; `run_checks` is the engine."""
from __future__ import annotations

from collections.abc import Callable

from ..model import Document, Finding
from .breakdowns import check_breakdowns
from .count_signs import check_count_signs
from .differences import check_differences
from .list_counts import check_list_counts
from .max_points import check_document_maxima
from .narrative import check_narrative_totals
from .periods import check_periods
from .percentages import check_table_percentages
from .rates import check_rates
from .share_lists import check_share_lists
from .rankings import check_rankings
from .results import PASS
from .rules import Rule, run_rules
from .stated_rules import check_stated_rules
from .sums import check_column_sums, check_parts_within_whole, check_row_sums

# (name, scope, function): scope "table" runs per table, "document" once per document.
CHECKS: list[tuple[str, str, Callable]] = [
    ("row_sum", "table", check_row_sums),
    ("column_sum", "table", check_column_sums),
    ("part_of_total", "table", check_parts_within_whole),
    ("count_sign", "table", check_count_signs),
    ("percentage", "table", check_table_percentages),
    ("percentage", "document", check_share_lists),
    ("percentage", "document", check_rates),
    ("narrative_total", "document", check_narrative_totals),
    ("ranking", "document", check_rankings),
    ("stated_rule", "document", check_stated_rules),
    ("max_points", "document", check_document_maxima),
    ("breakdown", "document", check_breakdowns),
    ("difference", "document", check_differences),
    ("count", "document", check_list_counts),
    ("period", "document", check_periods),
]


def run_checks(doc: Document, rules: list[Rule] | None = None, checks=CHECKS) -> Document:
    """Run every check and the user's rules; verified results go to doc.checks, the others to both lists."""
    results: list[Finding] = run_rules(doc, rules) if rules else []
    for name, scope, func in checks:
        try:
            if scope == "table":
                for table in doc.tables:
                    results.extend(func(table))
            else:
                results.extend(func(doc))
        except Exception as exc:  # a check bug is reported, not fatal to the batch
            results.append(Finding(doc.doc_id, name, "info", f"check {name} could not run: {type(exc).__name__}: {exc}"))
    doc.checks.extend(doc.findings)
    doc.checks.extend(results)
    doc.findings.extend(r for r in results if r.severity != PASS)
    for i, f in enumerate(doc.checks, start=1):
        f.finding_id = f"{doc.doc_id[:12]}-c{i}"
    return doc
