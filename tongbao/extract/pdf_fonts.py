"""The vertical metrics a PDF declares for its fonts, read from its font dictionaries.

Government PDFs made by Word or WPS often leave 宋体 / 仿宋_GB2312 out of the file. PDFium then takes
whatever it cannot find in the file from the font it substitutes, which depends on the fonts of the
machine reading it. Widths are always in the file (/W, /Widths); a descent may not be, and PDFium
would then measure the substitute's. So a missing font's descent comes from its FontDescriptor, as
pdfminer takes it, and is 0 when none is declared: the same on every machine. Embedded fonts are
measured the same way, so that Latin and Chinese fonts set on one line (as word processors mix them)
keep one box height.
"""
from __future__ import annotations

import re

from pdfminer.pdftypes import resolve1

MAX_FORM_DEPTH = 8  # form XObjects nest; deeper nesting is a malformed or hostile file
SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")  # "BAAAAA+WenQuanYiMicroHei": a subset of WenQuanYiMicroHei
UNDECLARED_DESCENT = 0.0  # em: pdfminer's descent for a font whose descriptor gives none


def _name(value) -> str:
    """A PDF name or string as text (pdfminer gives names as PSLiteral)."""
    value = resolve1(value)
    name = getattr(value, "name", value)
    if isinstance(name, bytes):
        name = name.decode("latin-1")
    return str(name) if name is not None else ""


def _descent(font: dict) -> float | None:
    """The descent a font dictionary's descriptor declares, in em (0 when it declares none, as
    pdfminer takes it); None when it has no descriptor (the standard 14 fonts, whose metrics PDFium
    has built in)."""
    descriptor = resolve1(font.get("FontDescriptor"))
    if not isinstance(descriptor, dict):
        return None
    try:
        return float(resolve1(descriptor.get("Descent", 0)) or 0) / 1000.0
    except (TypeError, ValueError):
        return UNDECLARED_DESCENT


def declared_descents(resources, cache: dict | None = None) -> dict[str, float]:
    """Descent (em, negative below the baseline) of every font with a descriptor in `resources` and
    the forms they draw, keyed by BaseFont name (a Type0 font under its own and its descendant's
    name). Characters of different fonts on one baseline then share their box, as in pdfminer,
    whatever the fonts' own metrics."""
    out: dict[str, float] = {}
    stack = [(resources, 0)]
    seen: set[int] = set()
    while stack:
        res, depth = stack.pop()
        res = resolve1(res)
        if not isinstance(res, dict) or id(res) in seen:
            continue
        seen.add(id(res))
        fonts = resolve1(res.get("Font")) or {}
        for spec in (fonts.values() if isinstance(fonts, dict) else ()):
            key = getattr(spec, "objid", None)
            if cache is not None and key is not None and key in cache:
                out.update(cache[key])
                continue
            found: dict[str, float] = {}
            _add_font(resolve1(spec), found)
            out.update(found)
            if cache is not None and key is not None:
                cache[key] = found
        if depth < MAX_FORM_DEPTH:
            xobjects = resolve1(res.get("XObject")) or {}
            for xobj in (xobjects.values() if isinstance(xobjects, dict) else ()):
                attrs = getattr(resolve1(xobj), "attrs", None)
                if isinstance(attrs, dict) and "Resources" in attrs:
                    stack.append((attrs["Resources"], depth + 1))
    return out


def _add_font(font, out: dict[str, float]) -> None:
    if not isinstance(font, dict):
        return
    descendants = [resolve1(d) for d in (resolve1(font.get("DescendantFonts")) or [])]
    for part in [font] + [d for d in descendants if isinstance(d, dict)]:
        if part is font and descendants:
            continue  # a Type0 font's descriptor is its descendant's
        descent = _descent(part)
        if descent is None:
            continue
        for name in {_name(part.get("BaseFont")), _name(font.get("BaseFont"))} - {""}:
            out.setdefault(name, descent)
            out.setdefault(SUBSET_TAG.sub("", name), descent)  # PDFium names a subset font without its tag


def page_descents(page, cache: dict | None = None) -> dict[str, float]:
    """`declared_descents` of a pdfplumber page (`cache`: one dict per document, so a font shared by
    its pages is read once); a damaged font dictionary declares nothing."""
    try:
        return declared_descents(page.page_obj.resources, cache)
    except Exception:  # pdfminer raises many types on damaged objects; the descent then counts as 0
        return {}
