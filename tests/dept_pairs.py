"""Pairwise scoring of department matching on a labelled set of names (the blind set, the devset's names).

Two names are a *true pair* when they are labelled with the same concept. Two names are a *predicted
pair* when the matcher gives them the same entity_id and sends neither to review. Precision is the
share of predicted pairs that are true, recall the share of true pairs predicted, F1 their harmonic
mean. A name sent to review forms no predicted pair: it costs recall, never precision, which is the
trade the matcher is built to make (a wrong confident match is the worst outcome).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

DEVSET = Path(__file__).parent / "data" / "devset"


@dataclass
class PairScore:
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(counts: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in counts.values())


def pairwise(concepts: list[str], matches) -> PairScore:
    """Pair counts over names labelled with `concepts` (empty: no concept) and their matches."""
    true = Counter(c for c in concepts if c)
    pred = Counter(m.entity_id for m in matches if not m.needs_review)
    both = Counter((c, m.entity_id) for c, m in zip(concepts, matches) if c and not m.needs_review)
    return PairScore(_pairs(true), _pairs(pred), _pairs(both))


def devset_names() -> list[tuple[str, str | None, str]]:
    """(raw, city, canonical name) of every department the development set's truth files list."""
    out = []
    for f in sorted(DEVSET.glob("*.truth.json")):
        truth = json.loads(f.read_text(encoding="utf-8"))
        city = (truth.get("meta") or {}).get("city") or None
        out.extend((d["raw"], city, d["canonical"]) for d in truth.get("departments") or ())
    return out
