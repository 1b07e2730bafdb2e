"""Places of China named in a text → divisions of tongbao/data/regions.csv (GB/T 2260 codes).

A name is read as every division it can be (河东区: 临沂市's and 天津市's; a former name as the
division it became: 襄樊市 → 襄阳市, 莱芜市 → 济南市). A name that can be several is decided by the
other places the same text or its context names — an ancestor (临沂市 … 河东区) or a descendant
(吉林 … 船营区) of exactly one reading — and is left unresolved otherwise; when all its readings lie
in one prefecture or province, it resolves to that (never to one reading picked among several).
The CSV is built by tools/build_regions.py; this module only reads it.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

REGIONS_CSV = Path(__file__).resolve().parent.parent / "data" / "regions.csv"
PATH_SEP = "/"
# A name's usual short form with a generic suffix: 恩施州, 长阳县 (长阳土家族自治县), 鄂温克旗.
ABBREVIATED_SUFFIX = {"自治州": "州", "自治县": "县", "自治旗": "旗"}
FORMER_GRACE_YEARS = 1  # a former name is still read in bulletins up to a year after it ceased
WEAK_NAME_LENGTH = 2  # 城区, 郊区, 和县: counted in running text only after a place that contains them
TEXT_SCAN_CHARS = 10000  # how much of a document's text is searched for places
TEXT_PLACE_CHARS = 1500  # a document's own place is taken from this much of its text when the issuer and title name none
SHORT_NAME_LEVELS = ("省", "市")  # levels whose bare short names (厦门, 广西) count


@dataclass(frozen=True)
class Place:
    """One row of regions.csv: a current division, or a former name with the code it went to."""

    code: str
    name: str
    short: str
    level: str  # 省 / 市 / 区 / 县
    kind: str  # 直辖市, 地级市, 自治州, 市辖区, 县级市, 县, 旗, 特区, 林区 …
    parent: str
    province: str
    city: str
    status: str  # current | former
    until: int | None
    successor: str


@dataclass(frozen=True)
class Mention:
    """A place name found in a text: where, as written, and the current divisions it can be."""

    start: int
    end: int
    text: str
    readings: tuple[tuple[Place, Place | None], ...]  # (current division, the former row it was read through)


class Gazetteer:
    """The divisions of regions.csv indexed by name, with their ancestry."""

    def __init__(self, rows: Iterable[Place]):
        self.rows = list(rows)
        self.current = {p.code: p for p in self.rows if p.status == "current"}
        self.by_code: dict[str, list[Place]] = {}
        for p in self.rows:
            self.by_code.setdefault(p.code, []).append(p)
        self.names: dict[str, list[Place]] = {}
        self.shorts: dict[str, list[Place]] = {}
        for p in self.rows:
            self.names.setdefault(p.name, []).append(p)
            if p.kind in ABBREVIATED_SUFFIX and p.short != p.name:
                self.names.setdefault(p.short + ABBREVIATED_SUFFIX[p.kind], []).append(p)
            if p.level in SHORT_NAME_LEVELS and len(p.short) >= 2 and p.short != p.name:
                self.shorts.setdefault(p.short, []).append(p)
        self.lengths: dict[str, tuple[int, ...]] = {}  # first character → name lengths, longest first
        for name in list(self.names) + list(self.shorts):
            self.lengths[name[0]] = tuple(sorted(set(self.lengths.get(name[0], ())) | {len(name)}, reverse=True))
        self._former_context = {p: self._context_of_former(p) for p in self.rows if p.status == "former"}

    # ---------------------------------------------------------------- ancestry
    def ancestors(self, place: Place) -> list[Place]:
        """The current divisions above a current one, nearest first."""
        out, code = [], place.parent
        while code and code in self.current:
            out.append(self.current[code])
            code = self.current[code].parent
        return out

    def chain(self, place: Place) -> list[Place]:
        """Province first, down to the place itself."""
        return list(reversed(self.ancestors(place))) + [place]

    def path(self, place: Place) -> str:
        """"江西省/宜春市/高安市"; a municipality's district is "北京市/东城区"."""
        return PATH_SEP.join(p.name for p in self.chain(place))

    def current_of(self, row: Place) -> Place | None:
        return row if row.status == "current" else self.current.get(row.successor)

    def _context_of_former(self, row: Place) -> frozenset[str]:
        """Codes a former name stood under when it was in use (莱城区 under 莱芜市, now 济南市)."""
        codes = set()
        for r in self.by_code.get(row.parent, ()):
            cur = self.current_of(r)
            if cur is not None:
                codes.update({cur.code, *(a.code for a in self.ancestors(cur))})
        codes.add(row.code[:2] + "0000")
        return frozenset(codes)

    def context_codes(self, reading: tuple[Place, Place | None]) -> frozenset[str]:
        """The codes above a reading: its current ancestors, and those of the former name it came through."""
        place, via = reading
        codes = {a.code for a in self.ancestors(place)}
        if via is not None:
            codes |= self._former_context[via]
        return frozenset(codes)

    def by_names(self, province: str | None, city: str | None, district: str | None) -> Place | None:
        """The current division that a (province, city, district) triple of full names stands for."""
        for name, scope in ((district, city), (city, province), (province, None)):
            if not name:
                continue
            for p in self.names.get(name, ()):
                if p.status == "current" and p.name == name and (scope is None or scope in (p.city, p.province)):
                    return p
        return None

    # ---------------------------------------------------------------- finding
    def readings_of(self, rows: Iterable[Place], year: int | None) -> tuple[tuple[Place, Place | None], ...]:
        out: dict[str, tuple[Place, Place | None]] = {}
        for r in rows:
            if r.status == "former" and year is not None and r.until is not None and year > r.until + FORMER_GRACE_YEARS:
                continue
            cur = self.current_of(r)
            if cur is not None and (cur.code not in out or out[cur.code][1] is not None):
                out[cur.code] = (cur, None if r.status == "current" else r)
        return tuple(out.values())

    def find(self, text: str, *, year: int | None = None, shorts: bool = False) -> list[Mention]:
        """Place names in text, longest first at each position, left to right; a short name (厦门,
        广西) only when `shorts`; a name of WEAK_NAME_LENGTH characters (城区, 和县) only right after a
        place it lies in, or at the very start of the text."""
        out: list[Mention] = []
        i, n = 0, len(text)
        while i < n:
            hit = None
            for length in self.lengths.get(text[i], ()):
                s = text[i:i + length]
                if len(s) < length:
                    continue
                rows = self.names.get(s, []) + (self.shorts.get(s, []) if shorts or self._is_province_short(s) else [])
                if rows:
                    readings = self.readings_of(rows, year)
                    if readings:
                        hit = Mention(i, i + length, s, readings)
                        break
            if hit is None:
                i += 1
                continue
            if len(hit.text) <= WEAK_NAME_LENGTH and hit.text in self.names and not self._weak_ok(hit, out, i):
                i += 1
                continue
            out.append(hit)
            i = hit.end
        return out

    def _is_province_short(self, s: str) -> bool:
        return any(p.level == "省" for p in self.shorts.get(s, ()))

    def _weak_ok(self, hit: Mention, before: list[Mention], i: int) -> bool:
        if i == 0:
            return True
        prev = before[-1] if before and before[-1].end == i else None
        if prev is None:
            return False
        prev_codes = {p.code for p, _ in prev.readings}
        return any(prev_codes & (self.context_codes(r) | {r[0].code}) for r in hit.readings)

    # ---------------------------------------------------------------- deciding
    def resolve(self, mentions: list[Mention], context: Iterable[str] = ()) -> list[Place | None]:
        """Each mention's division, decided by the others and by `context` (codes known to apply)."""
        decided: list[Place | None] = [m.readings[0][0] if len(m.readings) == 1 else None for m in mentions]
        context = frozenset(context)
        changed = True
        while changed:
            changed = False
            for k, m in enumerate(mentions):
                if decided[k] is not None:
                    continue
                named = set(context)
                for j, p in enumerate(decided):
                    if j != k and p is not None:
                        named.add(p.code)
                below = {a.code for j, p in enumerate(decided) if j != k and p is not None for a in self.ancestors(p)}
                fits = [r for r in m.readings if (self.context_codes(r) & named) or r[0].code in below]
                if len(fits) == 1:
                    decided[k] = fits[0][0]
                    changed = True
        return [d if d is not None else self.common(m.readings) for d, m in zip(decided, mentions)]

    def common(self, readings) -> Place | None:
        """The deepest division, prefecture or province, that every reading lies in or is (None if none)."""
        chains = [self.chain(p) for p, _ in readings]
        shared = None
        for level in zip(*chains):
            if all(p.code == level[0].code for p in level):
                shared = level[0]
            else:
                break
        return shared if shared is not None and shared.level in ("省", "市") else None


@lru_cache(maxsize=4)
def gazetteer(path: Path = REGIONS_CSV) -> Gazetteer:
    """The package's regions table, loaded once."""
    with open(path, encoding="utf-8") as f:
        rows = [Place(code=r["code"], name=r["name"], short=r["short"], level=r["level"], kind=r["kind"],
                      parent=r["parent"], province=r["province"], city=r["city"], status=r["status"],
                      until=int(r["until"]) if r["until"] else None, successor=r["successor"])
                for r in csv.DictReader(f)]
    return Gazetteer(rows)


def city_shorts(path: Path = REGIONS_CSV) -> frozenset[str]:
    """Short names of the divisions that are a city in their own right (厦门, 临沂, 仙桃, 北京)."""
    g = gazetteer(path)
    return frozenset(p.short for p in g.current.values()
                     if p.city == p.name and p.kind not in ("县", "自治县") and len(p.short) >= 2)
