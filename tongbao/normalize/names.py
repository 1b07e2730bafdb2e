"""Department names taken apart before matching: region prefix, 含… members, lists, staff names.

Pure functions over strings. Nothing here knows a department: what counts as a department word
(局, 中心, 公司 …) is passed in by the matcher from the registry, with plain defaults for direct use.
A name in traditional characters is parsed in its simplified form (`match_key`); `ParsedName.raw`
keeps it as written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, NamedTuple

from .script import to_simplified_name
from .text import clean_label

# A place suffix and the level it stands for (autonomous prefectures count as 市, 旗 as 县 …).
LEVEL_OF_SUFFIX = {
    "特别行政区": "省", "自治区": "省", "省": "省",
    "自治州": "市", "地区": "市", "州": "市", "盟": "市", "市": "市",
    "新区": "区", "区": "区",
    "自治县": "县", "县": "县", "自治旗": "县", "旗": "县",
}
_SUFFIXES = sorted(LEVEL_OF_SUFFIX, key=len, reverse=True)
_SUFFIX_RE = re.compile("|".join(_SUFFIXES))
BARE_LEVELS = "省市区县"

# Defaults for callers that do not pass the registry's own lists.
DEFAULT_DEPT_WORDS = ("委员会", "办公室", "中心", "局", "委", "办", "厅", "处", "所", "站", "院", "馆",
                      "会", "队", "公司", "集团", "银行", "行", "关", "联", "社", "部", "科")
DEFAULT_PLACE_FORBIDDEN = ("局", "委", "办", "厅", "队", "处", "馆", "院", "公司", "中心", "银行", "集团", "、")
DEFAULT_NOT_PLACE_ENDINGS = ("城市", "超市", "社区")
MEMBER_MARKERS = ("包括", "包含", "含")
LIST_WORDS = ("以及", "和", "及", "与")

_MAYBE_LIST = re.compile("[、，,;；等]|" + "|".join(LIST_WORDS))
_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
_SPACE = re.compile(r"\s+")
_OPEN, _CLOSE = "(（[【", ")）]】"
_BRACKET = re.compile("[" + re.escape(_OPEN + _CLOSE) + "]")


class Split(NamedTuple):
    """One way of reading a name: the region prefix taken off and the core left over."""

    core: str
    level: str | None = None  # 省/市/区/县 of the innermost place written
    region: str | None = None  # that place as written ("河东区", "厦门"), None for a bare 市/区
    city: str | None = None  # the 市-level place in the prefix, without 市 ("厦门")
    prefix: str = ""  # the literal text taken off
    bare_place: bool = False  # a place written without 市/区 (厦门海关) was taken off
    bare_level: bool = False  # the last thing taken off was a lone 市/区/县/省
    weak: bool = False  # a place that could be a word (费县 of one character, …旗): trusted only if the core is known


@dataclass(frozen=True)
class ParsedName:
    """A single name: the cleaned text, its readings (most stripped first) and its 含… members."""

    raw: str
    clean: str
    name: str  # clean without parentheticals
    splits: tuple[Split, ...]
    members: tuple[str, ...]  # member names, each with the carried region prefix


def compact(text: str) -> str:
    """clean_label plus every remaining whitespace removed: a department name never holds a space."""
    return _SPACE.sub("", clean_label(text))


def match_key(text: str) -> str:
    """The form a name is matched in: compact, in simplified characters (人力資源和社會保障局 → 人力资源和社会保障局;
    Hong Kong and Taiwan variants and words too: 衞生 → 卫生, 資訊 → 信息)."""
    return compact(to_simplified_name(text))


@lru_cache(maxsize=8)
def _place_index(places: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """Known places by their first two characters, so a name is checked against a handful only."""
    index: dict[str, list[str]] = {}
    for p in places:
        if len(p) >= 2:
            index.setdefault(p[:2], []).append(p)
    return {k: tuple(v) for k, v in index.items()}


def region_splits(text: str, *, city: str | None = None, places: frozenset[str] = frozenset(),
                  forbidden: Iterable[str] = DEFAULT_PLACE_FORBIDDEN,
                  not_place_endings: Iterable[str] = DEFAULT_NOT_PLACE_ENDINGS, shared_heads: Iterable[str] = (),
                  max_depth: int = 4) -> list[Split]:
    """Every reading of a leading region prefix (三明市, 临沂市河东区, bare 市, 厦门 …), most stripped first.

    Several readings are kept because text alone cannot tell 市民政局 (市 + 民政局) from 市民中心:
    the matcher takes the first whose core it knows. `shared_heads` (市民, 市场 …) are words that
    begin with a level character, so 杭州市民中心 is also read as 杭州 + 市民中心.
    """
    ctx = (_city_names(city), frozenset(places), tuple(forbidden), tuple(not_place_endings), tuple(shared_heads))
    out: dict[str, tuple] = {}
    for r in _readings(text, max_depth, ctx):
        core = r[0]
        if core not in out or len(r[1]) > len(out[core][1]):
            out[core] = r
    splits = [Split(core=c, level=lv, region=rg, city=ct, prefix=pf, bare_place=b, bare_level=ln, weak=wk)
              for c, pf, lv, rg, ct, b, ln, wk in out.values()]
    return sorted(splits, key=lambda sp: (-len(sp.prefix), sp.bare_place or sp.weak))


@lru_cache(maxsize=4096)
def _city_names(city: str | None) -> frozenset[str]:
    """The city context as a bare place name: 厦门市 → {厦门}."""
    name = match_key(city).removesuffix("市") if city else ""
    return frozenset({name}) if len(name) >= 2 else frozenset()


@lru_cache(maxsize=64)
def _base_checker(forbidden: tuple[str, ...]):
    bad = re.compile("|".join(map(re.escape, forbidden))) if forbidden else None
    levels = re.compile(f"[{BARE_LEVELS}]")

    def ok(base: str, suffix: str) -> bool:
        """A place name before its suffix: two or more CJK characters, no department word, and no
        省市区县 inside except in a two-character district name (沙县区, 市北区, 市中区); one
        character is enough before 县 (费县, 沛县)."""
        if len(base) < (1 if suffix == "县" else 2) or not _CJK.match(base) or (bad and bad.search(base)):
            return False
        if not levels.search(base):
            return True
        return len(base) == 2 and suffix == "区" and (base[0] in "市县") != (base[1] in "市县") \
            and not (base[0] in BARE_LEVELS and base[1] in BARE_LEVELS)
    return ok


# A reading is (core, prefix, level, region, city, bare_place, bare_level, weak); level None = not set.
@lru_cache(maxsize=1 << 18)
def _readings(s: str, remaining: int, ctx) -> tuple[tuple, ...]:
    """Every way of taking region prefixes off s; memoized, as many names share their tails."""
    city_names, places, forbidden, endings, shared = ctx
    out: list[tuple] = [(s, "", None, None, None, False, False, False)]
    if remaining <= 0 or len(s) < 3:
        return tuple(out)
    ok = _base_checker(forbidden)
    steps = []  # (text, kind, level, region, city), rest
    for m in _SUFFIX_RE.finditer(s, 1):
        i, suf = m.start(), m.group()
        if i >= 12:
            break
        base = s[:i]
        place = base + suf
        if ok(base, suf):
            cty = base if suf == "市" else None
            known = base in places or base in city_names
            # 桐城市人社局 is 桐城市 + 人社局, 厦门城市管理局 is not 厦门城 + 市: a two-character place ending
            # like a word (城市, 超市) is a weak reading, trusted only when the rest is a known name
            word_like = not known and place.endswith(endings)
            if word_like and len(base) != 2:  # 公园城市, 智慧城市: a word; 桐城市, 项城市: a county-level city
                continue
            kind = "weak" if len(base) < 2 or suf.endswith("旗") or word_like else "place"
            steps.append(((place, kind, LEVEL_OF_SUFFIX[suf], place, cty), s[i + len(suf):]))
            if shared and s.startswith(shared, i):  # 杭州市民中心: the 市 belongs to 市民中心
                steps.append(((base, "shared", None, base, cty), s[i:]))
    if s[0] in BARE_LEVELS:
        steps.append(((s[0], "lone", s[0], None, None), s[1:]))
    found = [p for p in _place_index(places).get(s[:2], ()) if s.startswith(p)]
    if city_names or found:
        for name in sorted(city_names.union(found), key=len, reverse=True):
            if s.startswith(name) and len(s) > len(name) + 1:
                steps.append(((name, "known", None, name, name), s[len(name):]))
    for (text, kind, lv, reg, cty), rest in steps:
        sets_level = kind in ("place", "lone", "weak")
        bare = kind in ("shared", "known")
        for c, pf, c_lv, c_rg, c_ct, c_bare, c_lone, c_weak in _readings(rest, remaining - 1, ctx):
            out.append((c, text + pf,
                        c_lv if c_lv is not None else (lv if sets_level else None),
                        c_rg if pf else reg,
                        cty or c_ct,
                        bare or c_bare,
                        c_lone if pf else kind == "lone",
                        kind == "weak" or c_weak))
    return tuple(out)


def preferred_split(splits: list[Split] | tuple[Split, ...], protected: Iterable[str] = ()) -> Split:
    """The reading to use when no reading is known: the most stripped one that does not cut a word
    such as 市场 or 市政 after a bare 市, nor take off a place written without 市/区 or a weak one."""
    protected = tuple(protected)
    for sp in splits:
        if sp.bare_place or sp.weak or (sp.bare_level and (sp.prefix[-1] + sp.core).startswith(protected)):
            continue
        if sp.core or sp is splits[-1]:
            return sp
    return splits[-1]


def _top_level_parts(text: str):
    """Yield (segment, is_parenthetical) at nesting depth 0; an unclosed bracket runs to the end."""
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            if depth == 0:
                if i > start:
                    yield text[start:i], False
                start = i + 1
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
            if depth == 0:
                yield text[start:i], True
                start = i + 1
    if start < len(text):
        yield text[start:], depth > 0


def strip_parentheticals(text: str) -> tuple[str, list[str]]:
    """(text without its top-level parentheticals, the parentheticals' contents)."""
    if not _BRACKET.search(text):
        return text, []
    outside, inside = [], []
    for seg, paren in _top_level_parts(text):
        (inside if paren else outside).append(seg)
    return "".join(outside), inside


def ends_with_dept_word(text: str, dept_words: Iterable[str] = DEFAULT_DEPT_WORDS) -> bool:
    """True when text ends like a department (…局, …中心, …公司): a list may be split after it."""
    text = strip_parentheticals(text)[0]
    return bool(text) and text.endswith(tuple(dept_words))


def _split_top(text: str, dept_words: tuple[str, ...]) -> list[str]:
    """Cut at 、，,;； always and at 和/及/以及/与 only between two department-like items."""
    items, buf, depth = [], [], 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        if depth == 0 and ch in "、，,;；":
            items.append("".join(buf))
            buf = []
            i += 1
            continue
        if depth == 0:
            word = next((w for w in LIST_WORDS if text.startswith(w, i)), None)
            left = "".join(buf)
            if word and ends_with_dept_word(left, dept_words) and len(text) > i + len(word) + 1:
                items.append(left)
                buf = []
                i += len(word)
                continue
        buf.append(ch)
        i += 1
    items.append("".join(buf))
    items = [re.sub(r"^(以及|及)(?=..)", "", x.strip()) for x in items]  # "…、以及市人社局"
    return [it for it in items if it]


def _default_prefix(item: str) -> str:
    return preferred_split(region_splits(strip_parentheticals(item)[0])).prefix


def may_be_list(text: str) -> bool:
    """Cheap test: could split_list find more than one item here?"""
    return bool(_MAYBE_LIST.search(text))


def split_list(text: str, *, prefix_of: Callable[[str], str] | None = None,
               dept_words: Iterable[str] = DEFAULT_DEPT_WORDS, inherit: str = "") -> list[str]:
    """Split "市科技局、文旅局和公安局" into items and give each unprefixed item the first one's 市.

    `prefix_of(item)` returns the region prefix an item is written with (the matcher passes one
    that knows the registry); `inherit` is a prefix to give items when the first has none.
    A trailing "等…" after the last department word is dropped.
    """
    prefix_of = prefix_of or _default_prefix
    dept_words = tuple(dept_words)
    text = compact(text)
    if not inherit and not _MAYBE_LIST.search(text):
        return [text] if text else []
    items = _split_top(text, dept_words)
    if items:
        last = items[-1]
        m = re.search(r"等[^、，]*$", last)
        if m and ends_with_dept_word(last[: m.start()], dept_words):
            items[-1] = last[: m.start()]
    if len(items) < 2 and not inherit:
        return items
    carry = prefix_of(items[0]) or inherit
    return [carry + it if carry and not prefix_of(it) else it for it in items]


def split_members(text: str) -> tuple[str, list[str]]:
    """("市人社局", ["社保中心", …]) from "市人社局(含市社保中心、…)": the 含 list, unsplit items raw."""
    name, parens = strip_parentheticals(text)
    members = []
    for p in parens:
        p = p.strip()
        marker = next((m for m in MEMBER_MARKERS if p.startswith(m)), None)
        if marker:
            members.append(p[len(marker):])
    return name, members


def parse_name(raw: str, *, city: str | None = None, places: frozenset[str] = frozenset(),
               prefix_of: Callable[[str], str] | None = None, dept_words: Iterable[str] = DEFAULT_DEPT_WORDS,
               forbidden: Iterable[str] = DEFAULT_PLACE_FORBIDDEN,
               not_place_endings: Iterable[str] = DEFAULT_NOT_PLACE_ENDINGS) -> ParsedName:
    """Parse one (non-list) name: cleaned (and simplified) text, region readings of the name, 含… members."""
    clean = match_key(raw)
    name, member_texts = split_members(clean)
    splits = tuple(region_splits(name, city=city, places=places, forbidden=forbidden,
                                 not_place_endings=not_place_endings))
    prefix_of = prefix_of or _default_prefix
    own_prefix = prefix_of(name)
    members: list[str] = []
    for mt in member_texts:
        members.extend(split_list(mt, prefix_of=prefix_of, dept_words=dept_words, inherit=own_prefix))
    return ParsedName(raw=raw, clean=clean, name=name, splits=splits, members=tuple(members))
