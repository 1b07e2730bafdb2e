"""Department names → registry ids: exact alias, then rules, then a guarded rapidfuzz score.

A wrong confident match is the worst outcome, so every stage is conservative: a rule counts only
when it lands on an alias, fuzzy scoring compares only names of the same kind (局 with 局, 中心 with
中心) and only their stems, and anything else comes out `new` and flagged for review.
The registry is data (tongbao/data/departments.yaml), extended or overridden by a user CSV.
A name (and its city) in traditional characters is matched through its simplified form
(names.match_key: 人力資源和社會保障局 → 人力资源和社会保障局); the match keeps the name and city as written.
"""
from __future__ import annotations

import csv
import gc
import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from rapidfuzz import fuzz, process

from ..yamlfile import load_yaml
from .names import (BARE_LEVELS, Split, compact, match_key, may_be_list, preferred_split, region_splits,
                    split_list, split_members, strip_parentheticals)
from .script import to_simplified

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_REGISTRY = DATA_DIR / "departments.yaml"
REGIONS_CSV = DATA_DIR / "regions.csv"
CATEGORIES = ("government", "institution", "utility", "bank", "notary", "hall", "other")
CROSSWALK_COLUMNS = ["entity_raw", "city", "level", "entity_id", "canonical_name", "score", "method", "needs_review",
                     "region", "parent_raw"]
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_LOOSE_DROP = str.maketrans("", "", "和与及、")


@dataclass
class EntityMatch:
    """One raw name resolved: the registry id (or a stable new:… id), how, and whether to review it."""

    entity_raw: str
    city: str | None
    level: str | None
    region: str | None
    entity_id: str | None
    canonical_name: str | None
    score: float
    method: str  # alias | rule | fuzzy | new | ambiguous | list | region
    needs_review: bool
    members: list["EntityMatch"] = field(default_factory=list)
    candidates: list[tuple[str, str, float]] = field(default_factory=list)


@dataclass(frozen=True)
class Department:
    """One department type of the registry."""

    id: str
    name: str
    category: str
    aliases: tuple[str, ...]
    renamed_from: tuple[str, ...]
    suffixes: tuple[str, ...]
    within: tuple[str, ...] = ()
    review: str | None = None  # why every match to this type is reviewed (the generic hall)


@dataclass(frozen=True)
class Ambiguous:
    """A name that may mean several types (文体局, 物价局): never a confident match."""

    id: str  # ambiguous:<first name>
    names: tuple[str, ...]
    candidates: tuple[str, ...]
    note: str


REGION_PREFIX = "region:"  # entity id of a name that is only a place: region:思明区
AMBIGUOUS_PREFIX = "ambiguous:"  # entity id of an ambiguous name: ambiguous:文体局


def new_id(core: str) -> str:
    """The stable id of a name the registry does not know: sha1 of its cleaned core."""
    return "new:" + hashlib.sha1(core.encode("utf-8")).hexdigest()[:10]


def _loose(key: str) -> str:
    return key.translate(_LOOSE_DROP)


class Registry:
    """The department types, their alias index and the parsing rules, loaded from YAML."""

    def __init__(self, path: Path | str = DEFAULT_REGISTRY):
        data = load_yaml(path)
        p = data.get("parsing", {})
        self.departments: dict[str, Department] = {}
        self.exact: dict[str, str] = {}
        conflicts = []
        for d in data["departments"]:
            dep = Department(d["id"], d["name"], d["category"], tuple(d.get("aliases") or ()),
                             tuple(d.get("renamed_from") or ()), tuple(d.get("suffixes") or ()),
                             tuple(d.get("within") or ()), d.get("review") or None)
            if not _SLUG.match(dep.id) or dep.id in self.departments:
                raise ValueError(f"bad or duplicate department id: {dep.id!r}")
            if dep.category not in CATEGORIES:
                raise ValueError(f"{dep.id}: unknown category {dep.category!r}")
            self.departments[dep.id] = dep
            for a in (dep.name, *dep.aliases, *dep.renamed_from):
                k = compact(str(a))
                if self.exact.get(k, dep.id) != dep.id:
                    conflicts.append((k, self.exact[k], dep.id))
                self.exact[k] = dep.id
        self.ambiguous: dict[str, Ambiguous] = {}
        for a in data.get("ambiguous") or ():
            names = tuple(str(n) for n in a["names"])
            amb = Ambiguous(AMBIGUOUS_PREFIX + compact(names[0]), names, tuple(a.get("candidates") or ()),
                            str(a.get("note") or ""))
            bad = [c for c in amb.candidates if c not in self.departments]
            if bad or amb.id in self.ambiguous:
                raise ValueError(f"ambiguous {names[0]}: unknown candidates {bad} or listed twice")
            self.ambiguous[amb.id] = amb
            for n in names:
                k = compact(n)
                if k in self.exact:
                    conflicts.append((k, self.exact[k], amb.id))
                self.exact[k] = amb.id
        if conflicts:
            raise ValueError(f"aliases claimed by two departments: {conflicts}")
        self.retired = {str(k): str(v) for k, v in (data.get("retired_ids") or {}).items()}
        bad = [(k, v) for k, v in self.retired.items() if k in self.departments or v not in self.departments]
        if bad:
            raise ValueError(f"retired_ids must name a retired id and a current one: {bad}")
        unknown = [(d.id, w) for d in self.departments.values() for w in d.within if w not in self.departments]
        if unknown:
            raise ValueError(f"`within` names unknown departments: {unknown}")
        loose: dict[str, str | None] = {}
        for k, i in self.exact.items():
            lk = _loose(k)
            loose[lk] = i if loose.get(lk, i) == i else None
        self.loose = {k: v for k, v in loose.items() if v}
        self.class_keywords = sorted(p.get("class_keywords", {}).items(), key=lambda kv: -len(kv[0]))
        self.dept_words = tuple(k for k, _ in self.class_keywords)
        self.rewrites = [(re.compile(a), b) for a, b in p.get("rewrites", [])]
        self.window = [re.compile(w) for w in p.get("window_patterns", [])]
        self.fuzzy_normalize = [(re.compile(a), b) for a, b in p.get("fuzzy_normalize", [])]
        self.bare_stem_endings = tuple(p.get("bare_stem_endings") or ())
        words = sorted(p.get("branch_words", []), key=len, reverse=True)
        alternation = "|".join(map(re.escape, words)) or "(?!)"
        self.branch = re.compile(r"^[\u4e00-\u9fff\dA-Za-z]{0,12}?(?:%s)$" % alternation)
        company = sorted(p.get("company_branch_words", []), key=len, reverse=True)
        self.company_branch = re.compile(r"(?:%s)$" % ("|".join(map(re.escape, company)) or "(?!)"))
        self.place_forbidden = tuple(p.get("place_forbidden", ()))
        self.not_place_endings = tuple(p.get("not_place_endings", ()))
        self.suffix_rules = sorted(((compact(s), d.id) for d in self.departments.values() for s in d.suffixes),
                                   key=lambda t: -len(t[0]))
        self.protected = tuple(sorted({k[:2] for k in self.exact if len(k) > 2 and k[0] in BARE_LEVELS}))
        comp = p.get("compounds") or {}
        self.compound_endings = tuple(sorted(comp.get("endings") or (), key=len, reverse=True))
        self.compound_words = {str(k): str(v) for k, v in (comp.get("words") or {}).items()}
        self.compound_rules: list[tuple[frozenset, frozenset, str, int]] = []
        for rule in comp.get("rules") or ():
            target = rule.get("id") or (AMBIGUOUS_PREFIX + compact(rule["ambiguous"]) if rule.get("ambiguous") else None)
            if target not in self.departments and target not in self.ambiguous:
                raise ValueError(f"compound rule names an unknown type or ambiguous entry: {rule}")
            req = frozenset(rule.get("require") or ())
            self.compound_rules.append((req, req | frozenset(rule.get("allow") or ()), target,
                                        int(rule.get("min_words", 2))))
        self.halls = tuple(sorted((k for k, i in self.exact.items()
                                   if i in self.departments and self.departments[i].category == "hall" and len(k) >= 4),
                                  key=len, reverse=True))

    def is_ambiguous(self, entity_id: str | None) -> bool:
        return bool(entity_id) and entity_id.startswith(AMBIGUOUS_PREFIX)

    def review_reason(self, entity_id: str | None) -> str | None:
        """Why a match to this id always goes to review (an ambiguous name, a hall), else None."""
        if not entity_id:
            return None
        amb = self.ambiguous.get(entity_id)
        if amb is not None:
            return amb.note or "ambiguous"
        dep = self.departments.get(entity_id)
        return dep.review if dep else None

    def current_id(self, entity_id: str) -> str:
        """The id that holds a retired one now (culture_tourism_sports → culture_tourism); others unchanged."""
        return self.retired.get(entity_id, entity_id)

    def compound(self, core: str) -> str | None:
        """文广旅游局 → culture_tourism: a stem made wholly of function words, resolved by the compound rules."""
        for end in self.compound_endings:
            if not core.endswith(end) or len(core) == len(end):
                continue
            funcs = _function_words(core[: -len(end)], self.compound_words)
            if not funcs:
                continue
            have = frozenset(funcs)
            for req, allowed, target, min_words in self.compound_rules:
                if len(funcs) >= min_words and req <= have <= allowed:
                    return target
        return None

    def classify(self, core: str) -> tuple[str | None, str]:
        """(class, stem): the kind of name by its ending keyword, and the name without it."""
        for kw, cls in self.class_keywords:
            if core.endswith(kw):
                return cls, core[: -len(kw)]
        return None, core

    def unit_of(self, unit: str, head: str) -> bool:
        """Same type, or `unit` one of `head`'s units (出入境支队 of 公安局); any department sits in a hall
        (政务服务中心人社局窗口 is the 人社局's window)."""
        dep = self.departments.get(unit)
        hall = self.departments.get(head)
        return unit == head or bool(dep and head in dep.within) or bool(
            hall and hall.category == "hall" and dep and dep.category != "hall")

    def related(self, a: str, b: str) -> bool:
        """Same type, or one a unit of the other."""
        return self.unit_of(a, b) or self.unit_of(b, a)

    def name_of(self, entity_id: str) -> str | None:
        """The canonical name of a registry id, None for an id the registry does not hold (or an ambiguous name)."""
        dep = self.departments.get(entity_id)
        return dep.name if dep else None


def _function_words(stem: str, words: dict[str, str]) -> list[str] | None:
    """The functions a stem is made of (文广旅游 → culture, broadcast, tourism), joined by 和/与/及/、 or by
    nothing; None when some part of it is not a function word."""
    n = len(stem)
    best: list[list[str] | None] = [None] * (n + 1)
    best[n] = []
    for i in range(n - 1, -1, -1):
        if stem[i] in "和与及、" and i > 0 and best[i + 1] is not None:
            best[i] = best[i + 1]
            continue
        for j in range(n, i, -1):  # longest word first
            f = words.get(stem[i:j])
            if f is not None and best[j] is not None:
                best[i] = [f] + best[j]
                break
    return best[0]


@dataclass
class _Leaf:
    """A single name's resolution before fuzzy scores are filled in."""

    split: Split
    entity_id: str | None = None
    canonical: str | None = None
    method: str = "new"
    score: float = 0.0
    review: bool = True
    fuzzy_key: tuple[str | None, str, str] | None = None  # (class, stem, core) awaiting a score
    new_core: str = ""
    confirmed: bool = False  # a user's alias: a person's decision, never sent back to review


@dataclass
class _Node:
    """A planned name: one leaf, or a list of items; children are list items or 含 members."""

    text: str
    leaf: _Leaf | None
    children: list["_Node"]
    is_list: bool = False
    guessed: bool = False  # a list read from names run together without a separator: always reviewed


@dataclass
class _FuzzyResult:
    """The fuzzy stage's verdict on one core: a type (or None) and the candidates shown for review."""

    entity_id: str | None
    score: float
    confident: bool
    candidates: list[tuple[str, str, float]]


def _load_places(path: Path = REGIONS_CSV) -> frozenset[str]:
    """Short city names (厦门, 临沂) from the package's regions table, if it is there."""
    from .regions import city_shorts
    try:
        return city_shorts(path)
    except (OSError, KeyError):
        return frozenset()


class DepartmentMatcher:
    """Match raw department names to registry ids; see the module docstring for the stages.

    `threshold` is the lowest class-gated fuzzy score kept as a (reviewed) match; a fuzzy match is
    trusted without review only at `confident` or above, on a stem of 4+ characters, 5 points clear
    of the next type. Parses are cached on the instance: reuse one matcher for a batch.
    """

    def __init__(self, registry: Path | None = None, aliases: Path | None = None, threshold: float = 80.0,
                 confident: float = 95.0, places: Iterable[str] | None = None, workers: int = -1):
        self.registry = Registry(registry or DEFAULT_REGISTRY)
        self.user = load_user_aliases(aliases) if aliases else {}
        self.threshold = threshold
        self.confident = confident
        self.places = frozenset(places) if places is not None else _load_places()
        self.workers = workers
        self._plans: dict[tuple[str, str | None], _Node] = {}
        self._rules: dict[tuple[str, int], tuple[str, Split | None] | None] = {}
        self._fuzzy_cache: dict[tuple[str | None, str, str], _FuzzyResult] = {}
        self._clean: dict[str, str] = {}
        self._split_cache: dict[tuple[str, str | None], list[Split]] = {}
        self._variant_cache: dict[str, list[str]] = {}
        self._build_fuzzy_index()

    # ------------------------------------------------------------------ public
    def match(self, raw: str, city: str | None = None) -> EntityMatch:
        """Match one raw name in the context of a city (or None)."""
        return self.match_many([raw], [city])[0]

    def match_many(self, raws: Sequence[str], cities: Sequence[str | None] | None = None) -> list[EntityMatch]:
        """Match many names at once: deduplicated, parses cached, fuzzy scores computed in one batch."""
        if cities is None:
            cities = [None] * len(raws)
        if len(cities) != len(raws):
            raise ValueError("raws and cities differ in length")
        gc_was_enabled = gc.isenabled()
        gc.disable()  # a batch allocates many small tuples and no cycles: collection only costs time
        try:
            return self._match_many(raws, cities)
        finally:
            if gc_was_enabled:
                gc.enable()

    def _match_many(self, raws: Sequence[str], cities: Sequence[str | None]) -> list[EntityMatch]:
        uniq: dict[tuple[str, str | None], _Node] = {}
        for raw, city in zip(raws, cities):
            key = (raw, city)
            if key not in uniq:
                clean = self._clean.get(raw)
                if clean is None:
                    clean = self._clean[raw] = match_key(raw)
                uniq[key] = self._plan(clean, to_simplified(city))
        pending = {}
        for node in uniq.values():
            self._collect(node, pending)
        self._run_fuzzy([k for k in pending if k not in self._fuzzy_cache])
        built: dict[tuple[str, str | None], EntityMatch] = {}
        return [built[k] if k in built else built.setdefault(k, self._build(uniq[k], k[0], k[1]))
                for k in zip(raws, cities)]

    # ------------------------------------------------------------------ planning (no fuzzy yet)
    def _splits(self, name: str, city: str | None) -> list[Split]:
        key = (name, city)
        splits = self._split_cache.get(key)
        if splits is None:
            r = self.registry
            splits = self._split_cache[key] = region_splits(
                name, city=city, places=self.places, forbidden=r.place_forbidden, not_place_endings=r.not_place_endings,
                shared_heads=r.protected)
        return splits

    def _prefix_of(self, city: str | None):
        def prefix_of(item: str) -> str:
            name = strip_parentheticals(item)[0]
            splits = self._splits(name, city)
            for sp in splits:
                if sp.core and (sp.core in self.registry.exact or self._user_get(sp.core, city)):
                    return sp.prefix
            return preferred_split(splits, self.registry.protected).prefix
        return prefix_of

    def _plan(self, clean: str, city: str | None) -> _Node:
        key = (clean, city)
        node = self._plans.get(key)
        if node is None:
            node = self._plans[key] = self._plan_uncached(clean, city)
        return node

    def _plan_uncached(self, clean: str, city: str | None) -> _Node:
        hit = self._user_get(clean, city)
        if hit:
            return _Node(clean, self._user_leaf(hit, self._splits(strip_parentheticals(clean)[0], city)), [])
        prefix_of = self._prefix_of(city)
        items = split_list(clean, prefix_of=prefix_of, dept_words=self.registry.dept_words) \
            if may_be_list(clean) else [clean]
        guessed = False
        if len(items) == 1:
            unglued = self._unglue(items[0], city)
            items, guessed = (unglued, True) if unglued else (items, False)
        if len(items) > 1:
            return _Node(clean, None, [self._plan_single(it, city, prefix_of) for it in items], is_list=True,
                         guessed=guessed)
        return self._plan_single(items[0] if items else clean, city, prefix_of)

    def _plan_single(self, text: str, city: str | None, prefix_of) -> _Node:
        name, member_texts = split_members(text)
        own = prefix_of(name) if member_texts else ""
        members = [m for mt in member_texts
                   for m in split_list(mt, prefix_of=prefix_of, dept_words=self.registry.dept_words, inherit=own)]
        return _Node(text, self._leaf(name, city), [self._plan(m, city) for m in members])

    def _unglue(self, text: str, city: str | None) -> list[str] | None:
        """"税务局不动产登记交易中心": two unrelated departments run together (a lost 、) → both, for review."""
        exact = self.registry.exact
        if strip_parentheticals(text)[0] != text:
            return None
        splits = self._splits(text, city)
        if any(sp.core in exact or self._user_get(sp.core, city) for sp in splits):
            return None
        for sp in splits:
            core = sp.core
            for n in range(2, len(core) - 1):
                a = exact.get(core[:n])
                if not a:
                    continue
                rest = self._splits(core[n:], city)  # the second name may carry its own 市/区
                b_split = next((x for x in rest if x.core in exact and not x.bare_place), None)
                if b_split and not self.registry.related(a, exact[b_split.core]):
                    carry = sp.prefix if not sp.bare_place and not b_split.prefix else ""
                    return [sp.prefix + core[:n], carry + core[n:]]
        return None

    def _user_get(self, key: str, city: str | None):
        """A user alias for this name in this city, or for this name in any city."""
        if not self.user:
            return None
        return self.user.get((key, city)) or self.user.get((key, None))

    def _user_leaf(self, hit, splits) -> _Leaf:
        """A user alias: a registry id, a user's own id, or `new` (confirmed new, no longer to review)."""
        eid, cname = hit
        sp = next((s for s in splits if s.core), splits[-1])
        if eid == "new":
            eid = new_id(sp.core)
        eid = self.registry.current_id(eid)
        return _Leaf(sp, eid, cname or self.registry.name_of(eid) or (sp.core if eid.startswith("new:") else None),
                     "alias", 100.0, False, confirmed=True)

    def _leaf(self, name: str, city: str | None) -> _Leaf:
        """Resolve one name (no list, no 含): user alias, registry alias, rules; else leave it to fuzzy."""
        r = self.registry
        splits = self._splits(name, city)
        hit = self._user_get(name, city)
        if hit:
            return self._user_leaf(hit, splits)
        for sp in splits:  # user aliases and registry aliases, most stripped reading first
            if sp.core:
                hit = self._user_get(sp.core, city)
                if hit:
                    return self._user_leaf(hit, [sp])
                eid = r.exact.get(sp.core)
                if eid:
                    return _Leaf(sp, eid, r.name_of(eid), "alias", 100.0, False)
        for sp in splits:  # rules
            if sp.core:
                res = self._rule(sp.core)
                if res:
                    eid, inner = res
                    if inner is not None and inner.prefix:
                        sp = _merge(sp, inner)
                    return _Leaf(sp, eid, r.name_of(eid), "rule", 95.0, False)
        for sp in splits:  # a department's own section: suggested, not trusted
            if sp.core and not sp.bare_place and not sp.weak:
                eid = self._section_of(self._strip_window(sp.core))
                if eid:
                    return _Leaf(sp, eid, r.name_of(eid), "rule", 80.0, True)
        whole_region = next((s for s in splits if not s.core and not s.weak), None)
        if whole_region is not None:  # the name is a place (思明区, a row of a table by district): not a department
            place = whole_region.region or name
            return _Leaf(whole_region, REGION_PREFIX + place, place, "region", 100.0, False)
        sp = preferred_split(splits, r.protected)
        core = self._strip_window(sp.core)
        for pat, repl in r.fuzzy_normalize:
            core = pat.sub(repl, core, count=1)
        cls, stem = r.classify(core)
        return _Leaf(sp, fuzzy_key=(cls, stem, core), new_core=sp.core)

    def _strip_window(self, core: str) -> str:
        for pat in self.registry.window:
            s = pat.sub("", core, count=1)
            if s and s != core:
                core = s
        return core

    def _variants(self, core: str) -> list[str]:
        """The core under one or two rewrites (厅→局, 委→委员会, 监管→监督管理 …), in rule order."""
        cached = self._variant_cache.get(core)
        if cached is None:
            cached = self._variant_cache[core] = self._variants_uncached(core)
        return cached

    def _variants_uncached(self, core: str) -> list[str]:
        out, frontier = [], [core]
        for _ in range(2):
            nxt = []
            for s in frontier:
                for pat, repl in self.registry.rewrites:
                    v = pat.sub(repl, s, count=1)
                    if v != s and v and v not in out:
                        out.append(v)
                        nxt.append(v)
            frontier = nxt
        return out

    def _rule(self, core: str, depth: int = 0) -> tuple[str, Split | None] | None:
        """Rule-based resolution of a core no alias knows; None when no rule lands on an alias."""
        key = (core, depth)
        if key not in self._rules:
            self._rules[key] = self._rule_uncached(core, depth)
        return self._rules[key]

    def _rule_uncached(self, core: str, depth: int) -> tuple[str, Split | None] | None:
        r = self.registry
        exact, loose = r.exact, r.loose
        if _loose(core) in loose:
            return loose[_loose(core)], None
        for v in self._variants(core):
            if v in exact:
                return exact[v], None
            if _loose(v) in loose:
                return loose[_loose(v)], None
        for form in (core, *self._variants(core)):  # a merged bureau named by its functions (文广旅游局)
            target = r.compound(form)
            if target:
                return target, None
        if depth >= 2:
            return None
        stripped = self._strip_window(core)
        if stripped != core:
            if stripped in exact:
                return exact[stripped], None
            for end in r.bare_stem_endings:  # 人社窗口: the window of the 人社局, written without 局
                eid = exact.get(stripped + end)
                if eid:
                    return eid, None
            res = self._rule(stripped, depth + 1)
            if res:
                return res
        # a hall, with whatever place before it, then a department's window (镇便民服务中心社保窗口)
        for hall in r.halls:
            i = core.find(hall)
            rest = core[i + len(hall):] if i >= 0 else ""
            if len(rest) >= 2:
                sub = exact.get(rest) or exact.get(self._strip_window(rest))
                res = (sub, None) if sub else self._rule(rest, depth + 1)
                if res and res[0] in r.departments and r.departments[res[0]].category != "hall":
                    return res[0], None
                break
        # a department followed by a sub-unit (公安局出入境支队) or by a branch (外汇管理局厦门分局)
        for n in range(len(core) - 1, 1, -1):
            head_id = exact.get(core[:n])
            if head_id is None:
                continue
            rest = core[n:]
            splits = self._splits(rest, None)
            for sp in splits:  # only a unit of the head: two unrelated names run together are no rule
                if sp.core:
                    sub = exact.get(sp.core)
                    if sub and r.unit_of(sub, head_id):
                        return sub, sp
                    res = None if sub else self._rule(sp.core, depth + 1)
                    if res and r.unit_of(res[0], head_id):
                        return res[0], None
            if r.branch.match(rest) or any(not sp.core for sp in splits) or self._ends_with_own(rest, head_id):
                return head_id, None
        # a branch of a company or bank the rules know (福建广电网络集团三明分公司)
        tail = r.company_branch.search(core)
        if tail:
            left = core[: tail.start()]
            for k in range(0, min(9, len(left) - 1)):
                part = left[: len(left) - k]
                eid = exact.get(part)
                res = (eid, None) if eid else self._rule(part, depth + 1)
                if res:
                    return res[0], None
        # a known ending after a brand or place (奥德燃气, 恒源供水公司, 天鸿公证处)
        for form in (core, *self._variants(core)):
            for suf, eid in r.suffix_rules:
                if form.endswith(suf) and len(form) > len(suf):
                    brand = form[: -len(suf)]
                    if len(brand) <= 8 and not any(w in brand for w in r.place_forbidden) \
                            and not brand.endswith(r.dept_words):
                        return eid, None
        return None

    def _section_of(self, core: str) -> str | None:
        """市场监管局食品安全科: a department followed by an unknown unit of its own (a 科, 所, 局 …);
        the department is suggested, for review."""
        r = self.registry
        for n in range(len(core) - 2, 1, -1):
            head_id = r.exact.get(core[:n])
            if head_id and 2 <= len(core) - n <= 10:
                cls, stem = r.classify(core[n:])
                if cls and stem:
                    return head_id
        return None

    def _ends_with_own(self, rest: str, head_id: str) -> bool:
        """税务局 … 第二税务所: the rest ends with another name of the head itself, after a short ordinal or place."""
        exact = self.registry.exact
        for k in range(1, min(7, len(rest) - 1)):
            if exact.get(rest[k:]) == head_id and not rest[:k].endswith(self.registry.dept_words):
                return True
        return False

    # ------------------------------------------------------------------ fuzzy stage
    def _build_fuzzy_index(self) -> None:
        r = self.registry
        keys = sorted(r.exact.items(), key=lambda kv: (kv[1], kv[0]))  # aliases grouped by id
        self._all_keys = [k for k, _ in keys]
        self._all_starts, self._all_ids = _starts([i for _, i in keys])
        by_class: dict[str, list[tuple[str, str]]] = {}
        for k, i in keys:
            cls, stem = r.classify(k)
            if cls and stem:
                by_class.setdefault(cls, []).append((stem, i))
        self._classes = {}
        for cls, rows in by_class.items():
            starts, cids = _starts([i for _, i in rows])
            self._classes[cls] = ([s for s, _ in rows], starts, cids)

    def _collect(self, node: _Node, pending: dict) -> None:
        if node.leaf is not None and node.leaf.fuzzy_key is not None:
            pending[node.leaf.fuzzy_key] = None
        for c in node.children:
            self._collect(c, pending)

    def _run_fuzzy(self, keys: list[tuple[str | None, str, str]]) -> None:
        """Score every pending name at once: class-gated stem ratio decides, whole-name ratio lists candidates."""
        if not keys:
            return
        r = self.registry
        cands = self._candidates([k[2] for k in keys])
        best: dict[int, tuple[str | None, float, float]] = {}
        groups: dict[str, list[int]] = {}
        for n, (cls, stem, _core) in enumerate(keys):
            if cls in self._classes and len(stem) >= 2:
                groups.setdefault(cls, []).append(n)
        for cls, rows in groups.items():
            stems, starts, cids = self._classes[cls]
            for chunk in _chunks(rows, 2048):
                m = process.cdist([keys[n][1] for n in chunk], stems, scorer=fuzz.ratio, dtype=np.float32,
                                  workers=self.workers)
                per = np.maximum.reduceat(m, starts, axis=1)
                for row, n in zip(per, chunk):
                    order = np.argsort(-row)[:2]
                    second = float(row[order[1]]) if len(order) > 1 else 0.0
                    best[n] = (cids[order[0]], float(row[order[0]]), second)
        for n, key in enumerate(keys):
            eid, score, second = best.get(n, (None, 0.0, 0.0))
            cl = cands[n]
            if eid is not None and score >= self.threshold:
                confident = score >= self.confident and len(key[1]) >= 4 and score - second >= 5
                cl = [(eid, r.name_of(eid), round(score, 1))] + [c for c in cl if c[0] != eid][:2]
                self._fuzzy_cache[key] = _FuzzyResult(eid, score, confident, cl)
            else:
                top = max(score, cl[0][2] if cl else 0.0)
                self._fuzzy_cache[key] = _FuzzyResult(None, top, False, cl)

    def _candidates(self, cores: list[str]) -> list[list[tuple[str, str, float]]]:
        """Top three registry types by whole-name similarity, for the review queue."""
        out = []
        r = self.registry
        for chunk in _chunks(list(range(len(cores))), 2048):
            m = process.cdist([cores[n] for n in chunk], self._all_keys, scorer=fuzz.ratio, dtype=np.float32,
                              workers=self.workers)
            per = np.maximum.reduceat(m, self._all_starts, axis=1)
            k = min(3, per.shape[1])
            top = np.argpartition(-per, k - 1, axis=1)[:, :k]
            for row, idx in zip(per, top):
                idx = idx[np.argsort(-row[idx])]
                out.append([(self._all_ids[j], r.name_of(self._all_ids[j]), round(float(row[j]), 1))
                            for j in idx if row[j] > 0])
        return out

    # ------------------------------------------------------------------ building results
    def _settle(self, m: EntityMatch, leaf: _Leaf) -> EntityMatch:
        """An ambiguous name or a hall is never a confident match: review, with the candidates shown."""
        if leaf.confirmed:
            return m
        r = self.registry
        amb = r.ambiguous.get(m.entity_id or "")
        if amb is not None:
            m.method, m.canonical_name, m.needs_review = "ambiguous", None, True
            m.candidates = [(c, r.name_of(c), m.score) for c in amb.candidates]
        elif r.review_reason(m.entity_id):
            m.needs_review = True
        return m

    def _build(self, node: _Node, raw: str, city: str | None) -> EntityMatch:
        members = [self._build(c, c.text, city) for c in node.children]
        if node.is_list:  # several units: no entity of its own; reviewed where a member is, or the split a guess
            first = members[0] if members else None
            return EntityMatch(raw, city if city is not None else (first.city if first else None),
                               first.level if first else None, first.region if first else None,
                               new_id(node.text), None, min((m.score for m in members), default=0.0), "list",
                               node.guessed or not members or any(m.needs_review for m in members), members, [])
        leaf = node.leaf
        sp = leaf.split
        cty = city if city is not None else sp.city
        if leaf.fuzzy_key is None and leaf.entity_id is None:
            return EntityMatch(raw, cty, sp.level, sp.region, new_id(leaf.new_core), None, 0.0, "new", True, members,
                               [])
        if leaf.fuzzy_key is None:
            cands = [(leaf.entity_id, leaf.canonical, leaf.score)]
            return self._settle(EntityMatch(raw, cty, sp.level, sp.region, leaf.entity_id, leaf.canonical, leaf.score,
                                            leaf.method, leaf.review, members, cands), leaf)
        fr = self._fuzzy_cache[leaf.fuzzy_key]
        if fr.entity_id is not None:
            return self._settle(EntityMatch(raw, cty, sp.level, sp.region, fr.entity_id,
                                            self.registry.name_of(fr.entity_id), round(fr.score, 1), "fuzzy",
                                            not fr.confident, members, list(fr.candidates)), leaf)
        return EntityMatch(raw, cty, sp.level, sp.region, new_id(leaf.new_core), None, round(fr.score, 1), "new",
                           True, members, list(fr.candidates))


def _merge(outer: Split, inner: Split) -> Split:
    """The region of a name whose inner part carries its own (国家税务总局厦门市税务局 → 厦门市)."""
    return outer._replace(level=inner.level or outer.level, region=inner.region or outer.region,
                          city=outer.city or inner.city)


def _starts(ids: list[str]) -> tuple[np.ndarray, list[str]]:
    """Start index of each run of equal ids (for np.maximum.reduceat) and the ids of the runs."""
    starts, run_ids = [], []
    for n, i in enumerate(ids):
        if not run_ids or run_ids[-1] != i:
            starts.append(n)
            run_ids.append(i)
    return np.asarray(starts, dtype=np.intp), run_ids


def _chunks(seq: list, size: int):
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


# ---------------------------------------------------------------------- files
def _read_text(path: Path | str) -> str:
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _table(text: str) -> list[dict[str, str]] | None:
    """Rows of a CSV/TSV whose header names a `raw` column, else None."""
    first = text.split("\n", 1)[0]
    delim = "\t" if "\t" in first else ","
    header = [h.strip().lower() for h in first.split(delim)]
    if "raw" not in header:
        return None
    reader = csv.DictReader(io.StringIO(text), delimiter=delim)
    reader.fieldnames = [h.strip().lower() for h in reader.fieldnames or []]
    return list(reader)


def load_user_aliases(path: Path | str) -> dict[tuple[str, str | None], tuple[str, str | None]]:
    """{(cleaned raw, city or None): (entity_id, canonical_name or None)} from a CSV with columns
    raw,entity_id (optional canonical_name, city). Rows without an entity_id are skipped, so a filled-in
    review queue can be passed back as it is."""
    rows = _table(_read_text(path))
    if rows is None:
        raise ValueError(f"{path}: an aliases file needs a header with raw and entity_id columns")
    out = {}
    for row in rows:
        raw, eid = (row.get("raw") or "").strip(), (row.get("entity_id") or "").strip()
        if not raw or not eid:
            continue
        city = (row.get("city") or "").strip() or None
        name = (row.get("canonical_name") or "").strip() or None
        out[(match_key(raw), to_simplified(city))] = (eid, name)
    return out


def read_names_file(path: Path | str) -> list[tuple[str, str | None]]:
    """[(raw, city)] from a CSV/TSV with a `raw` column (optional `city`), or from one name a line.
    UTF-8 (with or without BOM) or GB18030."""
    text = _read_text(path)
    rows = _table(text)
    if rows is not None:
        return [(row["raw"].strip(), (row.get("city") or "").strip() or None) for row in rows
                if (row.get("raw") or "").strip()]
    return [(line.strip(), None) for line in text.splitlines() if line.strip()]


def _flatten(matches: Iterable[EntityMatch], parent: str | None = None):
    for m in matches:
        yield m, parent
        yield from _flatten(m.members, m.entity_raw)


def _write_atomic(path: Path | str, header: list[str], rows: Iterable[list], encoding: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_crosswalk(matches: Iterable[EntityMatch], path: Path | str) -> None:
    """The entities table as CSV: one row per (raw name, city), 含 members and list items included."""
    seen, rows = set(), []
    for m, parent in _flatten(matches):
        if (m.entity_raw, m.city) in seen:
            continue
        seen.add((m.entity_raw, m.city))
        rows.append([m.entity_raw, m.city or "", m.level or "", m.entity_id or "", m.canonical_name or "",
                     f"{m.score:.1f}", m.method, str(bool(m.needs_review)).lower(), m.region or "", parent or ""])
    _write_atomic(path, CROSSWALK_COLUMNS, rows, "utf-8")


REVIEW_COLUMNS = ["raw", "city", "level", "region", "method", "score", "suggested_id", "suggested_name",
                  "candidate_1", "candidate_1_score", "candidate_2", "candidate_2_score", "candidate_3",
                  "candidate_3_score", "entity_id", "canonical_name"]


def write_review_queue(matches: Iterable[EntityMatch], path: Path | str) -> None:
    """Every match that needs review, with its top three candidates and empty entity_id/canonical_name
    columns to fill in; the filled file is a valid aliases file (UTF-8 with BOM, for spreadsheets)."""
    seen, rows = set(), []
    for m, _parent in _flatten(matches):
        if not m.needs_review or (m.entity_raw, m.city) in seen:
            continue
        seen.add((m.entity_raw, m.city))
        cands = []
        for c in (m.candidates + [("", "", 0.0)] * 3)[:3]:
            cands += [f"{c[0]} {c[1]}".strip() if c[0] else "", f"{c[2]:.1f}" if c[0] else ""]
        suggested = m.entity_id if m.entity_id and not m.entity_id.startswith(("new:", AMBIGUOUS_PREFIX)) else ""
        rows.append([m.entity_raw, m.city or "", m.level or "", m.region or "", m.method, f"{m.score:.1f}",
                     suggested, m.canonical_name if suggested else "", *cands, "", ""])
    _write_atomic(path, REVIEW_COLUMNS, rows, "utf-8-sig")
