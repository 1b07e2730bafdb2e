"""Narrative text → figures, awards, person mentions and ranked lists.

    from tongbao.nlp import narrative
    n = narrative(doc.text, doc.doc_id, narrative_ranges)
    n.figures, n.awards, n.mentions, n.rankings

Offsets always point into the document text. The spaCy pipeline (blank zh with character tokens, an
EntityRuler built from the department registry, a quantity Matcher) is built once per process.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .awards import Award, find_awards, units_only
from .mentions import Mention, find_mentions, pseudonymize
from .pipeline import get_nlp
from .quantities import NarrativeFigure, figures_from, scan
from .rankings import Ranking, find_rankings

__all__ = ["Narrative", "NarrativeFigure", "Award", "Mention", "Ranking", "narrative", "pseudonymize", "get_nlp"]


@dataclass
class Narrative:
    figures: list[NarrativeFigure] = field(default_factory=list)
    awards: list[Award] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    rankings: list[Ranking] = field(default_factory=list)


_MAX_CHUNK = 20000


def _chunks(text: str, lo: int, hi: int):
    """Split long ranges at line breaks so spaCy never sees a huge doc."""
    while hi - lo > _MAX_CHUNK:
        cut = text.rfind("\n", lo, lo + _MAX_CHUNK)
        cut = lo + _MAX_CHUNK if cut <= lo else cut + 1
        yield lo, cut
        lo = cut
    if hi > lo:
        yield lo, hi


def narrative(text: str, doc_id: str, ranges: list[tuple[int, int]] | None = None) -> Narrative:
    """Everything the narrative text states, in the character `ranges` of `text` (all of it when None)."""
    ranges = [(0, len(text))] if ranges is None else [(max(0, a), min(len(text), b)) for a, b in ranges if b > a]
    nlp = get_nlp()
    quantities = []
    departments: list[tuple[int, int]] = []  # registry names the EntityRuler found, as document offsets
    for lo, hi in ranges:
        for a, b in _chunks(text, lo, hi):
            doc = nlp(text[a:b])
            starts = [a + s for s in (doc._.numeral_starts or [])]
            departments.extend((a + e.start_char, a + e.end_char) for e in doc.ents)
            quantities.extend((q, lo, hi) for q in scan(text, a, b, starts))
    figures = figures_from(text, doc_id, quantities, departments=departments)
    awards = find_awards(text, doc_id, ranges)
    for f in figures:
        f.entity_raw = units_only(f.entity_raw)
        # a banner's count speaks of the unit that received it
        for a in awards:
            if a.title == "锦旗" and a.start <= f.start < a.end + 1:
                f.entity_raw = a.recipient
    mentions = find_mentions(text, doc_id, ranges, awards)
    rankings = find_rankings(text, ranges)
    return Narrative(figures, awards, mentions, rankings)
