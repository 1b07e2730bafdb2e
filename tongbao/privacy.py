"""People's names replaced by stable pseudonyms in everything a run writes.

The narrative stage finds the people a bulletin names (mentions: 迟到, 表扬 …; awards to a person).
With `--pseudonymize-people`, every occurrence of each of those names, in every text a document
carries (its text, sentences, metrics, cell texts and labels, finding messages and arithmetic,
locations), is replaced by its pseudonym before any table, file or report is made, so no output
can hold one: not `mentions.sentence`, not `observations.indicator`, not the report.
"""
from __future__ import annotations

import dataclasses
import re

from .model import Document
from .nlp import pseudonymize

MIN_NAME_CHARS = 2  # a one-character "name" would rewrite ordinary words


class SaltError(ValueError):
    """Pseudonyms without a secret salt can be reversed by hashing a list of common names."""


def people(docs: list[Document]) -> set[str]:
    """Every person the documents name."""
    names = {m.person for d in docs for m in d.mentions if m.person}
    names |= {a.recipient for d in docs for a in d.awards if a.recipient_kind == "person" and a.recipient}
    return {n for n in names if len(n) >= MIN_NAME_CHARS}


def pseudonymize_documents(docs: list[Document], salt: str) -> dict[str, str]:
    """Replace every person's name in every string of the documents (in place); the names replaced,
    with their pseudonyms."""
    if not salt:
        raise SaltError("pseudonyms need a secret salt (--salt or TONGBAO_SALT): without one, anyone can "
                        "hash a list of names and find who is who")
    names = people(docs)
    if not names:
        return {}
    mapping = {name: pseudonymize(name, salt) for name in names}
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))

    def replace(text: str) -> str:
        return pattern.sub(lambda m: mapping[m.group(0)], text)

    for doc in docs:
        _walk(doc, replace, set())
    return mapping


def _walk(obj, replace, seen: set[int]):
    """Every str reachable from a dataclass, list or dict, replaced in place; the new value returned."""
    if isinstance(obj, str):
        return replace(obj)
    if id(obj) in seen:
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        seen.add(id(obj))
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            new = _walk(value, replace, seen)
            if new is not value:
                object.__setattr__(obj, f.name, new)  # frozen records (a column) too
        return obj
    if isinstance(obj, list):
        seen.add(id(obj))
        for i, value in enumerate(obj):
            new = _walk(value, replace, seen)
            if new is not value:
                obj[i] = new
        return obj
    if isinstance(obj, dict):
        seen.add(id(obj))
        for key, value in obj.items():
            new = _walk(value, replace, seen)
            if new is not value:
                obj[key] = new
        return obj
    if isinstance(obj, tuple):
        items = tuple(_walk(v, replace, seen) for v in obj)
        return items if any(a is not b for a, b in zip(items, obj)) else obj
    return obj
