"""The spaCy pipeline for narrative text, built once and cached, plus the text helpers every
narrative extractor shares (sentences, department phrases, region prefixes).

The pipeline is `spacy.blank("zh")` with the character segmenter (nothing to download or load),
an EntityRuler whose ORG patterns are the department registry's names and aliases — with characters
as tokens a name matches wherever it stands, "人社局" inside "市人社局" — and a `tongbao_quantities` component whose spaCy Matcher finds the tokens that
hold a numeral; `quantities.py` then reads each one exactly from the original text.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml

from ..yamlfile import load_yaml_text

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{_CJK}]")

# Used when the registry cannot be read or lacks a `parsing.class_keywords` block.
_DEFAULT_DEPT_WORDS = ("委员会", "办公室", "中心", "局", "委", "办", "厅", "支队", "大队", "总队", "处", "所", "站",
                       "院", "馆", "公司", "集团", "银行", "分行", "支行", "关", "会", "联", "社", "部", "科", "热线")
# Words that end a department name in running text but are too short or too common to be trusted alone.
_WEAK_DEPT_WORDS = {"会", "联", "社", "部", "科", "行", "关", "所", "站", "处", "热线"}


@lru_cache(maxsize=1)
def registry() -> dict:
    """The department registry as data (tongbao/data/departments.yaml), tolerant of its shape."""
    try:
        text = resources.files("tongbao.data").joinpath("departments.yaml").read_text(encoding="utf-8")
        data = load_yaml_text(text) or {}
    except (OSError, yaml.YAMLError, ModuleNotFoundError):
        data = {}
    return data if isinstance(data, dict) else {"departments": data}


def _entries() -> list[dict]:
    deps = registry().get("departments") or []
    if isinstance(deps, dict):  # keyed by id
        deps = [dict(v or {}, id=k) for k, v in deps.items()]
    return [d for d in deps if isinstance(d, dict)]


@lru_cache(maxsize=1)
def department_names() -> tuple[str, ...]:
    """Every name, alias and former name in the registry, longest first."""
    names: set[str] = set()
    for d in _entries():
        for key in ("name", "aliases", "renamed_from", "abbreviations"):
            v = d.get(key)
            if isinstance(v, str):
                names.add(v)
            elif isinstance(v, (list, tuple)):
                names.update(x for x in v if isinstance(x, str))
    for a in registry().get("ambiguous") or ():  # 物价局, 文体局: departments still, only not of one type
        if isinstance(a, dict) and isinstance(a.get("names"), list):
            names.update(x for x in a["names"] if isinstance(x, str))
    return tuple(sorted((n for n in names if len(n) >= 2), key=len, reverse=True))


@lru_cache(maxsize=1)
def dept_words() -> tuple[str, ...]:
    """Endings that make a phrase a department (局, 中心, 支队 …): the registry's class keywords."""
    kw = (registry().get("parsing") or {}).get("class_keywords")
    words = set(_DEFAULT_DEPT_WORDS)
    if isinstance(kw, dict):
        words.update(k for k in kw if isinstance(k, str))
    elif isinstance(kw, list):
        words.update(k for k in kw if isinstance(k, str))
    return tuple(sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def dept_word_re() -> re.Pattern:
    strong = [w for w in dept_words() if w not in _WEAK_DEPT_WORDS]
    alt = "|".join(re.escape(w) for w in strong)
    return re.compile(f"(?:{alt})(?![件理事结托法])")


def ends_with_dept_word(s: str, strong_only: bool = False) -> bool:
    s = strip_parens(s)
    words = [w for w in dept_words() if not strong_only or w not in _WEAK_DEPT_WORDS]
    return bool(s) and (s.endswith(tuple(words)) or any(s.endswith(n) for n in _short_known()))


@lru_cache(maxsize=1)
def _short_known() -> tuple[str, ...]:
    """Registry names that do not end with a department word (海关, 公证处 are covered; 燃气 …)."""
    words = tuple(dept_words())
    return tuple(n for n in department_names() if not n.endswith(words))


_PAREN = re.compile(r"[（(][^（()）]*[)）]")


def strip_parens(s: str) -> str:
    prev = None
    while prev != s:
        prev, s = s, _PAREN.sub("", s)
    return s


def compact(s: str) -> str:
    """Whitespace removed (a name never holds a space; the PDF text layer inserts wrap spaces)."""
    return re.sub(r"\s+", "", s)


# ---------------------------------------------------------------- sentences

_HARD_END = "。！？；!?;"


def sentence_bounds(text: str, pos: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """The sentence holding `pos`, within [lo, hi).

    A sentence ends at 。！？；. A line break ends it too, unless the line broke mid-sentence (the
    PDF text layer wraps paragraphs): a break counts when the text before it ends with sentence
    punctuation or a colon, or when the line before is short (a heading), or the next line starts
    with an enumerator (一、 （二） 1.).
    """
    hi = len(text) if hi is None else hi
    start = pos
    while start > lo and not _is_break(text, start - 1, lo, hi):
        start -= 1
    end = pos
    while end < hi and not _is_break(text, end, lo, hi):
        end += 1
    end = min(hi, end + 1)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_ENUM = re.compile(r"\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.、．]\D|附件|【)")


def _is_break(text: str, i: int, lo: int, hi: int) -> bool:
    ch = text[i]
    if ch in _HARD_END:
        return True
    if ch != "\n":
        return False
    j = i - 1
    while j >= lo and text[j] in " \t\n":
        j -= 1
    if j < lo:
        return True
    if text[j] in _HARD_END + "：:":
        return True
    line_start = text.rfind("\n", lo, j + 1) + 1
    if j + 1 - max(line_start, lo) < 40:
        return True
    return bool(_ENUM.match(text, i + 1, hi))


def lines_of(text: str, lo: int, hi: int):
    """(start, end) of each non-empty line in [lo, hi)."""
    i = lo
    while i < hi:
        j = text.find("\n", i, hi)
        j = hi if j < 0 else j
        if text[i:j].strip():
            yield i, j
        i = j + 1


# ---------------------------------------------------------------- region prefixes

@lru_cache(maxsize=4096)
def _known_starts(head: str) -> tuple[str, ...]:
    return tuple(n for n in department_names() if n.startswith(head)) or ("\0",)


_PROTECTED = ("市场", "市政", "区域", "县域", "市直", "区直", "市区", "县区")
_PLACE_PREFIX = re.compile(rf"^(?:[{_CJK}]{{2,6}}?(?:省|自治区))?(?:[{_CJK}]{{2,5}}?(?:市|州|盟|地区))?(?:[{_CJK}]{{2,5}}?(?:区|县|旗))?")


def region_prefix(name: str) -> str:
    """The region written before a department name: 市, 区, 厦门市, 三明市沙县区 … ('' when none)."""
    name = compact(name)
    if len(name) > 2 and name[0] in "市区县省":
        rest = name[1:]
        if name.startswith(("市市", "区区", "县县")) or rest.startswith(_known_starts(rest[:2])):
            return name[0]
        if not name.startswith(_PROTECTED):
            return name[0]
    m = _PLACE_PREFIX.match(name)
    p = m.group(0) if m else ""
    while p and (dept_word_re().search(p) or len(name) - len(p) < 2):
        p = p[:-1]
        m = _PLACE_PREFIX.match(p)
        p = m.group(0) if m else ""
    return p


# ---------------------------------------------------------------- spaCy

_NUMERAL = re.compile(r"[0-9０-９零〇一二两三四五六七八九十百千万亿]")


def _patterns() -> list[dict]:
    return [{"label": "ORG", "pattern": n, "id": n} for n in department_names()]


@lru_cache(maxsize=1)
def get_nlp():
    """The narrative pipeline, built once per process. Never downloads anything."""
    import spacy
    from spacy.language import Language
    from spacy.matcher import Matcher
    from spacy.tokens import Doc

    if not Doc.has_extension("numeral_starts"):
        Doc.set_extension("numeral_starts", default=None)

    if "tongbao_quantities" not in Language.factories:
        @Language.factory("tongbao_quantities")
        def _make_quantities(nlp, name):
            matcher = Matcher(nlp.vocab)
            matcher.add("NUMERAL", [[{"TEXT": {"REGEX": r"[0-9０-９零〇一二两三四五六七八九十百千万亿]"}}]])

            def component(doc):
                starts = []
                for _, s, _ in matcher(doc):
                    tok = doc[s]
                    m = _NUMERAL.search(tok.text)
                    starts.append(tok.idx + m.start())
                doc._.numeral_starts = starts
                return doc

            return component

    # Characters as tokens: a registry name then matches wherever it stands ("市人社局" holds "人社局"),
    # which a word segmenter cutting 市人|社局 would prevent; it also loads at once, with no dictionary.
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH", "overwrite_ents": True})
    ruler.add_patterns(_patterns())
    nlp.add_pipe("tongbao_quantities")
    return nlp
