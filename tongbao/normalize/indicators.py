"""Header paths and narrative metrics → indicator ids of the registry (tongbao/data/indicators.yaml).

A label is cleaned (maximum points, notes in parentheses, quotes and ordinals dropped; traditional
characters matched through their simplified form), then matched: a user alias, a registry alias,
then one rule (the label ends with an alias, after no qualifier). The most specific level decides;
a generic leaf (得分, 评价数, 百分比) asks the level above. Nothing is fuzzy: an unknown label gives
`indicator_id` None and goes to the review queue (`write_indicator_review`), whose filled-in file is
an aliases file (`load_indicator_aliases`).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from ..export.writers import CSV_ENCODING, atomic_path, defuse_formula
from ..yamlfile import load_yaml, load_yaml_text
from .names import match_key

DEFAULT_REGISTRY = Path(__file__).resolve().parent.parent / "data" / "indicators.yaml"
KINDS = ("count", "rate", "score", "rank")
LEVEL_SEPARATOR = " / "
NOT_AN_INDICATOR = "none"  # the id a user gives a label to confirm it names no indicator
REVIEW_FILE = "indicators_review.csv"  # written beside the dataset by `tongbao extract`
REVIEW_COLUMNS = ["indicator_raw", "source", "n_observations", "n_documents", "example_ref", "example_value",
                  "example_unit", "suggested_id", "suggested_name", "indicator_id", "indicator_name", "indicator_kind"]
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_PAREN = re.compile(r"[(（][^()（）]*[)）]")


@dataclass(frozen=True)
class Indicator:
    """One canonical indicator of the registry (or of a user's aliases file)."""

    id: str
    name: str
    kind: str | None
    unit: str | None = None


@dataclass(frozen=True)
class IndicatorMatch:
    """A printed label resolved: the indicator (None when unknown) and how it was found."""

    indicator_raw: str | None
    indicator: Indicator | None
    method: str  # user | alias | rule | generic | unknown | not_indicator

    def fields(self) -> dict:
        """The observations columns of this match (`indicator`: the old name of indicator_raw)."""
        ind = self.indicator
        return dict(indicator_id=ind.id if ind else None, indicator_name=ind.name if ind else None,
                    indicator_kind=ind.kind if ind else None, indicator_raw=self.indicator_raw,
                    indicator_method=self.method, indicator=self.indicator_raw)


@dataclass(frozen=True)
class Label:
    """One level of a header path, cleaned: its key, and whether it carries maximum points or a note."""

    key: str
    points: bool = False
    annotation: str | None = None  # the word a 扣分项 / 加分项 note appends


class IndicatorRegistry:
    """The indicators, their alias index and the parsing rules, loaded from YAML."""

    def __init__(self, path: Path | str = DEFAULT_REGISTRY):
        data = load_yaml(path)
        p = data["parsing"]
        self.units = {k: frozenset(str(u) for u in v) for k, v in p["kinds"].items()}
        self.all_units = frozenset().union(*self.units.values())
        self.quotes = str.maketrans("", "", p["quotes"])
        self.ordinal = re.compile(p["ordinal_prefix"])
        self.points = re.compile(p["points"])
        self.points_suffixes = tuple(p.get("points_suffixes", ()))
        self.annotations = dict(p.get("annotations", {}))
        self.generic = {match_key(k): (v["kind"], tuple(v.get("joins", ()))) for k, v in p["generic_leaves"].items()}
        self.suffix_min = int(p.get("suffix_min", 3))
        self.suffix_stop = tuple(p.get("suffix_stop", ()))
        self.suffix_heads = tuple(p.get("suffix_heads", ()))
        self.trailing = tuple(p.get("trailing", ()))
        self.not_a_level = frozenset(p.get("not_a_level", ()))
        self.not_indicators = frozenset(match_key(x) for x in p.get("not_indicators", ()))
        self.indicators: dict[str, Indicator] = {}
        self.exact: dict[str, str] = {}
        self.scored: dict[str, str] = {}
        for d in data["indicators"]:
            ind = Indicator(d["id"], d["name"], d["kind"], d.get("unit"))
            if not _SLUG.match(ind.id) or ind.id in self.indicators:
                raise ValueError(f"bad or duplicate indicator id: {ind.id!r}")
            if ind.kind not in KINDS:
                raise ValueError(f"{ind.id}: unknown kind {ind.kind!r}")
            self.indicators[ind.id] = ind
            scored = tuple(d.get("scored_aliases", ()))
            plain = (*(() if ind.name in scored else (ind.name,)), *d.get("aliases", ()))  # a name may be scored only
            for index, names in ((self.exact, plain), (self.scored, scored)):
                for a in names:
                    k = match_key(str(a))
                    if k in self.exact and self.exact[k] != ind.id or k in self.scored and self.scored[k] != ind.id:
                        raise ValueError(f"alias {a!r} claimed by {self.exact.get(k) or self.scored.get(k)} and {ind.id}")
                    index[k] = ind.id
        if set(self.scored) & set(self.exact):
            raise ValueError(f"aliases both plain and scored: {sorted(set(self.scored) & set(self.exact))}")
        self.by_suffix = sorted((k for k in self.exact if len(k) >= self.suffix_min), key=len, reverse=True)

    def parse_label(self, text: str) -> Label:
        """A level as it is matched: simplified, compact, without quotes, ordinal and parentheticals."""
        key = match_key(text).translate(self.quotes)
        key = self.ordinal.sub("", key, count=1)
        points = bool(self.points.search(key))
        key = self.points.sub("", key)
        annotation = None
        for note, word in self.annotations.items():
            if re.search(rf"[(（]{re.escape(note)}[)）]", key):
                annotation = word
        while True:  # every other parenthetical, innermost first
            stripped = _PAREN.sub("", key)
            if stripped == key:
                break
            key = stripped
        return Label(key.strip(), points, annotation)

    def unit_fits(self, ind: Indicator, unit: str | None) -> bool:
        """Whether a printed unit can be this indicator's (no unit always can)."""
        return not unit or not ind.kind or unit in self.units.get(ind.kind, ())


@lru_cache(maxsize=4)
def load_registry(path: str = str(DEFAULT_REGISTRY)) -> IndicatorRegistry:
    """The registry at `path`, read once per process."""
    return IndicatorRegistry(path)


class IndicatorMatcher:
    """Match header paths and narrative metrics to indicators; user aliases first."""

    def __init__(self, registry: IndicatorRegistry | Path | str | None = None, aliases: Path | str | None = None):
        if isinstance(registry, IndicatorRegistry):
            self.registry = registry
        else:
            self.registry = load_registry(str(registry or DEFAULT_REGISTRY))
        self.user = load_indicator_aliases(aliases) if aliases else {}
        for key, hit in list(self.user.items()):  # a user's label also names a level as it is matched
            self.user.setdefault(self.registry.parse_label(key).key, hit)
        self._cache: dict[tuple, IndicatorMatch] = {}

    # ------------------------------------------------------------------ public
    def match_header(self, header_path: str | None) -> IndicatorMatch:
        """A table column's header path ("评价情况(50分) / 好评率(25分)"): the leaf decides, its parent
        when the leaf only names a kind (得分, 评价数, 百分比)."""
        key = ("header", header_path)
        if key not in self._cache:
            self._cache[key] = self._match_header(header_path)
        return self._cache[key]

    def match_metric(self, metric: str | None, unit: str | None = None, qualifier: str | None = None,
                     bound: str | None = None, comparison: str | None = None) -> IndicatorMatch:
        """A narrative figure's metric ("市12345热线共受理群众诉求"); a change, an average, a share or a
        threshold (增长, 平均, 占比, 低于) names no indicator's value, nor does a unit of another kind."""
        key = ("metric", metric, unit, qualifier, bound, comparison)
        if key not in self._cache:
            self._cache[key] = self._match_metric(metric, unit, qualifier, bound, comparison)
        return self._cache[key]

    # ------------------------------------------------------------------ stages
    def _match_header(self, header_path: str | None) -> IndicatorMatch:
        if not header_path or not header_path.strip():
            return IndicatorMatch(header_path or None, None, "unknown")
        hit = self._user(header_path)
        if hit is not None:
            return IndicatorMatch(header_path, *hit)
        r = self.registry
        levels = [r.parse_label(x) for x in header_path.split(LEVEL_SEPARATOR) if x.strip()]
        leaf = levels[-1]
        generic = r.generic.get(leaf.key)
        if generic and len(levels) > 1:
            ind, method = self._parent(levels[-2], *generic)
            return IndicatorMatch(header_path, ind, method if ind else "unknown")
        ind, method = self._label(leaf)
        return IndicatorMatch(header_path, ind, method if ind else "unknown")

    def _match_metric(self, metric, unit, qualifier, bound, comparison) -> IndicatorMatch:
        if not metric or not metric.strip():
            return IndicatorMatch(metric or None, None, "not_indicator")
        hit = self._user(metric)
        if hit is not None:
            return IndicatorMatch(metric, *hit)
        r = self.registry
        if (qualifier and qualifier in r.not_a_level) or bound or comparison or (unit and unit not in r.all_units):
            return IndicatorMatch(metric, None, "not_indicator")  # a change, a threshold, or units (面, 家) no kind has
        label = r.parse_label(metric)
        key = label.key
        while len(key) > 1 and key.endswith(r.trailing):
            key = key[:-1]
        if key in r.not_indicators or len(key) < 2:
            return IndicatorMatch(metric, None, "not_indicator")
        ind, method = self._label(Label(key, label.points, label.annotation))
        if ind is None:
            return IndicatorMatch(metric, None, "unknown")
        if not r.unit_fits(ind, unit):
            return IndicatorMatch(metric, None, "not_indicator")
        return IndicatorMatch(metric, ind, method)

    def _label(self, label: Label, kind: str | None = None) -> tuple[Indicator | None, str]:
        """One level alone: with maximum points or a bonus/deduction note only a score is accepted."""
        r = self.registry
        if label.points or label.annotation:
            words = (label.annotation,) if label.annotation else r.points_suffixes
            keys = [label.key + w for w in words] + [label.key]
            return self._first(keys, "score", scored=True)
        return self._first([label.key], kind, scored=kind == "score")

    def _parent(self, parent: Label, kind: str, joins: tuple[str, ...]) -> tuple[Indicator | None, str]:
        """The level above a generic leaf, read with the leaf's kind ("非常满意" + "评价数")."""
        keys = [parent.key + j for j in joins] + [parent.key]
        ind, method = self._first(keys, kind, scored=kind == "score")
        return ind, ("generic" if ind and method == "alias" else method)

    def _first(self, keys: list[str], kind: str | None, scored: bool) -> tuple[Indicator | None, str]:
        """The first key a user alias, a registry alias or the suffix rule resolves to an indicator of `kind`."""
        for key in keys:
            for ind, method in (self._user_key(key), self._alias(key, scored)):
                if ind is not None and (kind is None or ind.kind in (kind, None)):  # a user's own id may have no kind
                    return ind, method
        for key in keys:
            ind = self._suffix(key)
            if ind is not None and (kind is None or ind.kind == kind):
                return ind, "rule"
        return None, "unknown"

    def _alias(self, key: str, scored: bool) -> tuple[Indicator | None, str]:
        r = self.registry
        iid = r.exact.get(key) or (r.scored.get(key) if scored else None)
        return (r.indicators[iid], "alias") if iid else (None, "")

    def _suffix(self, key: str) -> Indicator | None:
        """The longest alias the key ends with, when the words before it name who or when (共, 窗口, a
        date …) and do not qualify it (平均, 低于, 二次 …)."""
        r = self.registry
        for alias in r.by_suffix:
            if len(alias) < len(key) and key.endswith(alias):
                head = key[: -len(alias)]
                if not head.endswith(r.suffix_heads) or any(w in head for w in r.suffix_stop):
                    return None
                return r.indicators[r.exact[alias]]
        return None

    def _user_key(self, key: str) -> tuple[Indicator | None, str]:
        hit = self.user.get(key)
        if hit is None or hit.id == NOT_AN_INDICATOR:
            return None, ""
        return self._resolve(hit), "user"

    def _user(self, raw: str) -> tuple[Indicator | None, str] | None:
        """A user alias of the whole printed string: (indicator or None for `none`, method)."""
        if not self.user:
            return None
        hit = self.user.get(match_key(raw))
        if hit is None:
            return None
        if hit.id == NOT_AN_INDICATOR:
            return None, "not_indicator"
        return self._resolve(hit), "user"

    def _resolve(self, hit: Indicator) -> Indicator:
        """A user's id: the registry's indicator when it holds the id, else the user's own."""
        known = self.registry.indicators.get(hit.id)
        if known is None:
            return hit
        return Indicator(known.id, hit.name or known.name, known.kind, known.unit) if hit.name else known


# ---------------------------------------------------------------------- user aliases and review
def load_indicator_aliases(path: Path | str) -> dict[str, Indicator]:
    """{match key of raw: Indicator} from a CSV/TSV with columns indicator_raw (or raw) and indicator_id
    (optional indicator_name, indicator_kind), or a YAML mapping raw → id. Rows without an id are
    skipped, so a filled-in review queue is an aliases file as it is; id `none` marks a label as no indicator."""
    text = _read_text(path)
    rows = _csv_rows(text)
    if rows is None:
        try:
            data = load_yaml_text(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not a CSV with indicator_raw and indicator_id columns, nor YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise ValueError(f"{path}: an indicator aliases file is a CSV with indicator_raw and indicator_id "
                             f"columns or a YAML mapping of raw label to indicator id")
        rows = [{"indicator_raw": str(k), "indicator_id": str(v)} for k, v in data.items() if v]
    out = {}
    for row in rows:
        raw = _undefused((row.get("indicator_raw") or row.get("raw") or "").strip())
        iid = (row.get("indicator_id") or "").strip()
        if not raw or not iid:
            continue
        kind = (row.get("indicator_kind") or "").strip() or None
        if kind is not None and kind not in KINDS:
            raise ValueError(f"{path}: {raw!r}: unknown indicator_kind {kind!r} (one of {', '.join(KINDS)})")
        out[match_key(raw)] = Indicator(iid, (row.get("indicator_name") or "").strip() or None, kind)
    return out


def _undefused(raw: str) -> str:
    """A label as printed, without the ' a CSV writer put before a leading = + - @ (export/writers.py)."""
    return raw[1:] if raw[:1] == "'" and raw[1:2] in ("=", "+", "-", "@") else raw


def _read_text(path: Path | str) -> str:
    data = Path(path).read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValueError(f"{path}: neither UTF-8 nor GB18030")


def _csv_rows(text: str) -> list[dict[str, str]] | None:
    """Rows of a CSV/TSV whose header names a raw label column and indicator_id, else None."""
    first = text.split("\n", 1)[0]
    delim = "\t" if "\t" in first else ","
    header = [h.strip().lower() for h in first.split(delim)]
    if "indicator_id" not in header or not ({"indicator_raw", "raw"} & set(header)):
        return None
    reader = csv.DictReader(io.StringIO(text), delimiter=delim)
    reader.fieldnames = [h.strip().lower() for h in reader.fieldnames or []]
    return list(reader)


class ReviewQueue:
    """The review queue gathered part by part (a batch's documents one after another): memory grows
    with the distinct labels, not with the observations."""

    INPUT = ("indicator_raw", "source", "indicator_id", "doc_id", "source_ref", "value", "unit")  # observations columns read

    def __init__(self, matcher: IndicatorMatcher | None = None):
        self.matcher = matcher
        self._labels: dict[tuple, list] = {}  # (label, source) → [observations, doc ids, first row]

    def add(self, observations: pd.DataFrame) -> None:
        """Count the observations whose printed label carries no indicator (narrative fragments aside)."""
        if observations.empty or "indicator_id" not in observations:
            return
        n = len(observations)
        methods = observations["indicator_method"].tolist() if "indicator_method" in observations else ["unknown"] * n
        columns = [observations[c].tolist() for c in self.INPUT]
        for raw, source, iid, doc_id, ref, value, unit, method in zip(*columns, methods):
            if not pd.isna(iid) or pd.isna(raw) or not str(raw).strip() or method != "unknown":
                continue
            seen = self._labels.get((raw, source))
            if seen is None:
                self._labels[(raw, source)] = [1, {doc_id}, (ref, value, unit)]
            else:
                seen[0] += 1
                seen[1].add(doc_id)

    def frame(self) -> pd.DataFrame:
        """One row per label, most frequent first, with a suggestion where a registry name is
        contained in the label (never applied)."""
        if not self._labels:
            return pd.DataFrame(columns=REVIEW_COLUMNS)
        registry = (self.matcher or IndicatorMatcher()).registry
        rows = []
        for (raw, source), (n, docs, (ref, value, unit)) in self._labels.items():
            sug = _suggest(registry, raw)
            rows.append([raw, source, n, len(docs), ref, value, unit if pd.notna(unit) else "",
                         sug.id if sug else "", sug.name if sug else "", "", "", ""])
        df = pd.DataFrame(rows, columns=REVIEW_COLUMNS)
        return df.sort_values(["n_observations", "indicator_raw"], ascending=[False, True], kind="stable").reset_index(drop=True)


def review_queue(observations: pd.DataFrame, matcher: IndicatorMatcher | None = None) -> pd.DataFrame:
    """One row per printed label that carries no indicator, most frequent first (see ReviewQueue)."""
    queue = ReviewQueue(matcher)
    queue.add(observations)
    return queue.frame()


def _suggest(registry: IndicatorRegistry, raw: str) -> Indicator | None:
    """The indicator whose longest alias occurs in the label's leaf: a hint for the reviewer only."""
    leaf = registry.parse_label(str(raw).split(LEVEL_SEPARATOR)[-1]).key
    for alias in registry.by_suffix:
        if alias in leaf:
            return registry.indicators[registry.exact[alias]]
    return None


def write_indicator_review(observations: pd.DataFrame | ReviewQueue, path: Path | str,
                           matcher: IndicatorMatcher | None = None) -> int:
    """Write the review queue (of observations, or one gathered already) as CSV (UTF-8 with BOM, for
    spreadsheets); returns its number of rows. Fill in indicator_id (a registry id, your own, or
    `none`) and pass the file back with --indicator-aliases."""
    df = observations.frame() if isinstance(observations, ReviewQueue) else review_queue(observations, matcher)
    df["indicator_raw"] = df["indicator_raw"].map(defuse_formula)  # undone by load_indicator_aliases
    with atomic_path(Path(path)) as tmp:
        df.to_csv(tmp, index=False, encoding=CSV_ENCODING)
    return len(df)


def registry_frame(registry: IndicatorRegistry | None = None) -> pd.DataFrame:
    """The registry as a table: id, name, kind, unit, aliases (joined with 、)."""
    r = registry or load_registry()
    aliases: dict[str, list[str]] = {}
    for k, iid in (*r.exact.items(), *r.scored.items()):
        aliases.setdefault(iid, []).append(k)
    return pd.DataFrame([dict(id=i.id, name=i.name, kind=i.kind, unit=i.unit, aliases="、".join(aliases.get(i.id, [])))
                         for i in r.indicators.values()])



@lru_cache(maxsize=1)
def default_indicator_matcher() -> IndicatorMatcher:
    """The registry's matcher without user aliases, built once per process."""
    return IndicatorMatcher()


def cell_indicator(matcher: IndicatorMatcher, cell) -> dict:
    """The observations columns of a table cell's indicator, from its header path."""
    return matcher.match_header(cell.header_path).fields()


def figure_indicator(matcher: IndicatorMatcher, figure) -> dict:
    """The observations columns of a narrative figure's indicator, from its metric and what qualifies it."""
    return matcher.match_metric(figure.metric, figure.unit, figure.qualifier, getattr(figure, "bound", None),
                                getattr(figure, "comparison", None)).fields()
