"""Build check results: a verified check is a Finding with severity "pass", kept in the `checks` table only."""
from __future__ import annotations

from ..model import Finding

PASS = "pass"


def _result(doc_id, check, severity, message, expected=None, reported=None, tolerance=None, locations=None,
            arithmetic=None) -> Finding:
    difference = None if expected is None or reported is None else round(reported - expected, 10)
    return Finding(doc_id=doc_id, check=check, severity=severity, message=message, expected=expected,
                   reported=reported, difference=difference, tolerance=tolerance, locations=locations or [],
                   arithmetic=arithmetic)


def passed(doc_id, check, message, expected=None, reported=None, tolerance=None, locations=None, arithmetic=None):
    return _result(doc_id, check, PASS, message, expected, reported, tolerance, locations, arithmetic)


def failed(doc_id, check, message, expected=None, reported=None, tolerance=None, locations=None, arithmetic=None,
           severity="error"):
    return _result(doc_id, check, severity, message, expected, reported, tolerance, locations, arithmetic)


def undecided(doc_id, check, message, expected=None, reported=None, tolerance=None, locations=None, arithmetic=None):
    return _result(doc_id, check, "info", message, expected, reported, tolerance, locations, arithmetic)
