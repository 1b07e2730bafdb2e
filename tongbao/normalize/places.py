"""A document's place (province, city, district) and each department's level and region.

The document's place is the most specific place its issuer names, else its title's, else the first
place its text confirms (named twice, or with a place above or below it); every name is decided by
all the places the document names (normalize/regions.py). A department's place is the one its own
name writes (临沂市河东区税务局), read in the document's place (河东区税务局 in a 临沂 bulletin is
临沂市's), or, for a bare level (市税务局), the document's own division at that level.
`region` is the path of current names, "江西省/宜春市/高安市"; `level` is 省 / 市 / 区 / 县.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .regions import TEXT_PLACE_CHARS, TEXT_SCAN_CHARS, Gazetteer, Mention, Place, gazetteer
from .script import to_simplified

YEAR = re.compile(r"(?<!\d)(19[89]\d|20\d\d)(?!\d)")
COUNTY_KINDS = ("县", "自治县", "旗", "自治旗")  # what a bare 县 in a name stands for
DISTRICT_KINDS = ("市辖区", "特区", "林区")  # what a bare 区 stands for
CONFIRMING_MENTIONS = 2  # a place named only once in running text (沿海城市 → 海城市) is not the document's


@dataclass(frozen=True)
class Located:
    """A document's place: the division and its province / city / county-level names (current names)."""

    place: Place | None
    province: str | None = None
    city: str | None = None
    district: str | None = None


def document_year(issue_date: str | None, *texts: str | None) -> int | None:
    """The year a document speaks in: its issue date's, else the first year written in its texts."""
    if issue_date:
        try:
            return date.fromisoformat(issue_date).year
        except ValueError:
            pass
    for t in texts:
        m = YEAR.search(t or "")
        if m:
            return int(m[1])
    return None


def names_of(g: Gazetteer, place: Place | None) -> Located:
    """(province, city, district) names of a division; district only for a county-level one below a city."""
    if place is None:
        return Located(None)
    chain = g.chain(place)
    province = chain[0].name
    city = place.city or None
    district = place.name if place.level in ("区", "县") and place.name != place.city else None
    return Located(place, province, city, district)


def locate_document(issuer: str | None, title: str | None, text: str, issue_date: str | None = None) -> Located:
    """The place a document is about, from its issuer, title and text (all in simplified characters)."""
    g = gazetteer()
    year = document_year(issue_date, title, text[:TEXT_PLACE_CHARS])
    scopes = [g.find(issuer or "", year=year, shorts=True), g.find(title or "", year=year, shorts=True),
              g.find(text[:TEXT_SCAN_CHARS], year=year)]
    flat = [m for s in scopes for m in s]
    decided = iter(g.resolve(flat))
    places = [[next(decided) for _ in s] for s in scopes]
    for scope in places[:2]:
        best = _most_specific(g, [p for p in scope if p is not None])
        if best is not None:
            return names_of(g, best)
    text_places = [p for p, m in zip(places[2], scopes[2]) if p is not None and m.start < TEXT_PLACE_CHARS]
    return names_of(g, _first_confirmed(g, text_places, [p for p in places[2] if p is not None]))


def _most_specific(g: Gazetteer, found: list[Place]) -> Place | None:
    """The deepest place on the chain of the first one found (临沂市 … 河东区 → 河东区)."""
    if not found:
        return None
    best = found[0]
    for p in found[1:]:
        if best in g.ancestors(p):
            best = p
    return best


def _first_confirmed(g: Gazetteer, early: list[Place], everywhere: list[Place]) -> Place | None:
    """The first place of the text's opening named CONFIRMING_MENTIONS times (or with a place above or
    below it); a province is narrowed to the first city in it that is confirmed too."""
    def confirmed(p: Place) -> bool:
        related = sum(q.code == p.code or p in g.ancestors(q) or q in g.ancestors(p) for q in everywhere)
        return related >= CONFIRMING_MENTIONS

    first = next((p for p in early if confirmed(p)), None)
    if first is not None and first.level == "省" and first.kind != "直辖市":
        city = next((p for p in early if p.level == "市" and first in g.ancestors(p) and confirmed(p)), None)
        return city or first
    return first


def document_place(doc) -> Place | None:
    """The division a Document's (simplified) province / city / district names stand for."""
    return gazetteer().by_names(doc.province_simplified, doc.city_simplified, doc.district_simplified)


def locate_name(raw: str | None, written_level: str | None, at: Place | None, year: int | None = None,
                written_place: str | None = None) -> tuple[str | None, Place | None]:
    """(level, division) of a department name in a document placed `at`: the place its name writes,
    decided with the document's place as context; for a bare level (市税务局), the document's division
    at that level. `written_place` is the place the department matcher took off the name (开发区 in
    开发区税务局): one the regions table does not know leaves the region unresolved."""
    g = gazetteer()
    if not raw:
        return None, None
    name = to_simplified(raw).replace(" ", "")
    context = {at.code, *(a.code for a in g.ancestors(at))} if at is not None else set()
    found = g.find(name, year=year, shorts=True)
    mentions = [m for k, m in enumerate(found) if _leads(g, m, found[k - 1] if k else None, context)]
    if mentions:
        place = g.resolve(mentions, context)[-1]
        if place is None:
            return written_level, None
        return _level(place, written_level), place
    if at is None or written_level is None or written_place:
        return written_level, None
    own = _at_level(g, at, written_level)
    return (_level(own, written_level) if own is not None else written_level), own


def _leads(g: Gazetteer, m: Mention, before: Mention | None, context: set[str]) -> bool:
    """A full name counts anywhere in a department's name (国家税务总局厦门市税务局); a short one at its
    start (厦门海关), right after another place, or anywhere when it is the document's own (国网三明供电公司)."""
    return (m.text in g.names or m.start == 0 or (before is not None and before.end == m.start)
            or all(p.code in context for p, _ in m.readings))


def _level(place: Place, written: str | None) -> str:
    """A municipality named as a city (北京市税务局) is at level 市; any other place at its own level."""
    if place.kind == "直辖市" and written != "省":
        return "市"
    return place.level


def _at_level(g: Gazetteer, at: Place, level: str) -> Place | None:
    """The document's own division that a bare 省 / 市 / 区 / 县 stands for."""
    chain = g.chain(at)
    if level == "省":
        return chain[0]
    if level == "市":
        if at.kind == "县级市":
            return at
        return next((p for p in reversed(chain) if p.level == "市" or p.kind == "直辖市"), None)
    kinds = DISTRICT_KINDS if level == "区" else COUNTY_KINDS
    return at if at.kind in kinds else None


def place_rows(entities: list[dict], observations: list[dict], docs, matches: dict) -> None:
    """`level` and `region` on entity and observation rows (set in place): each row's place in its
    document; an entity row (one per raw name and city) keeps a region only when every document it
    comes from agrees."""
    from .entities import mentioned_names
    g = gazetteer()
    by_doc = {d.doc_id: d for d in docs}
    at = {d.doc_id: document_place(d) for d in docs}
    years = {d.doc_id: document_year(d.issue_date, d.title_simplified) for d in docs}
    cache: dict[tuple, tuple[str | None, Place | None]] = {}

    def place_of(doc_id, raw):
        d = by_doc.get(doc_id)
        if d is None:
            return None, None
        if raw is None:  # the document's own figure (本月共受理…): its issuer's place
            p = at[doc_id]
            return (p.level if p else None), p
        key = (raw, d.city, at[doc_id], years[doc_id])
        if key not in cache:
            m = matches.get((raw, d.city))
            cache[key] = locate_name(raw, getattr(m, "level", None), at[doc_id], years[doc_id], getattr(m, "region", None))
        return cache[key]

    for row in observations:
        level, place = place_of(row["doc_id"], row["entity_name"])
        row["level"], row["region"] = level, (g.path(place) if place is not None else None)

    seen: dict[tuple, set] = {}
    for d in docs:
        for raw, city in mentioned_names([d]):
            seen.setdefault((raw, city), set()).add(place_of(d.doc_id, raw))
    for row in entities:
        found = seen.get((row["entity_raw"], row["city"]), set())
        lv, p = next(iter(found)) if len(found) == 1 else (None, None)
        if lv is None and len({f[0] for f in found}) == 1:
            lv = next(iter(found))[0]
        row["level"] = lv if lv is not None else row["level"]
        row["region"] = g.path(p) if p is not None else None
