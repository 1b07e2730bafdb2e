"""Department matching on the blind labelled set (tests/data/departments_blind.csv).

The set was written by another engineer who never opened the registry or the matcher
(tests/data/departments_blind.md says how): 1,129 names from 31 provinces, each with a `concept`
slug of the writer's own and a `kind`: department, window (a department's window or service
hall: its concept is the department's), hall (a place where many departments sit) or ambiguous
(a name a careful reader cannot settle; its concept lists the candidates).

Scoring (tests/dept_pairs.py):
- two department or window names are a *true pair* when they have the same concept;
- two names are a *predicted pair* when the matcher gives them the same entity_id and sends
  neither to review;
- pairwise precision, recall and F1 over those pairs; F1 must be at least 0.98.
Hall and ambiguous rows form no true pair: they must go to review (needs_review), every one of
them, so they cannot form a predicted pair either.
- No confident wrong match: no predicted pair joins two names of different concepts, over every
  row of the set (halls and ambiguous names included).

The matcher knows nothing of this file: no name in it is listed in the code or the registry
because it is here.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dept_pairs import pairwise
from tongbao.normalize.departments import DepartmentMatcher

BLIND = Path(__file__).parent / "data" / "departments_blind.csv"
SCORED_KINDS = ("department", "window")
REVIEW_KINDS = ("hall", "ambiguous")


@pytest.fixture(scope="module")
def scored():
    with open(BLIND, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    matcher = DepartmentMatcher()
    matches = matcher.match_many([r["name"] for r in rows], [r["city"] or r["province"] or None for r in rows])
    return rows, matches


def test_the_set_is_big_and_varied(scored):
    rows, _ = scored
    assert len(rows) >= 300
    assert len({r["province"] for r in rows}) >= 20
    assert {r["kind"] for r in rows} <= set(SCORED_KINDS + REVIEW_KINDS)


def test_pairwise_f1(scored):
    rows, matches = scored
    keep = [(r, m) for r, m in zip(rows, matches) if r["kind"] in SCORED_KINDS]
    score = pairwise([r["concept"] for r, _ in keep], [m for _, m in keep])
    print(f"\nblind set: {len(keep)} department and window names, {score.true_pairs} true pairs, "
          f"P {score.precision:.4f} R {score.recall:.4f} F1 {score.f1:.4f}")
    assert score.f1 >= 0.98


def test_no_confident_wrong_match(scored):
    rows, matches = scored
    by_id: dict[str, set[str]] = {}
    for r, m in zip(rows, matches):
        if not m.needs_review:
            by_id.setdefault(m.entity_id, set()).add(r["concept"])
    wrong = {i: c for i, c in by_id.items() if len(c) > 1}
    assert wrong == {}


def test_every_hall_and_ambiguous_name_goes_to_review(scored):
    rows, matches = scored
    missed = [(r["name"], r["kind"], m.entity_id, m.method) for r, m in zip(rows, matches)
              if r["kind"] in REVIEW_KINDS and not m.needs_review]
    assert missed == []
