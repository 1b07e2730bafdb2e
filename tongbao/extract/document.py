"""Turn a reader's text and table parts into a Document: merge continued tables, find metadata and figures."""
from __future__ import annotations

import re

from ..model import Document, Finding, Table
from ..normalize.names import compact
from ..normalize.text import squeeze_spaces
from .metadata import extract_metadata
from .cell_text import join_lines, open_brackets
from .tables import TableParts, assemble, continues


def broken_row_rest(previous_header: list[list[str]], header: list[list[str]]) -> list[list[str]] | None:
    """What a row broken across the page left on the next page, read into the repeated header
    there: rows after the previous part's header, or text in cells that header leaves empty (a
    wrapped name's last line, a "%"), before the first row of numbers. None when the header is not
    the previous one's with such additions."""
    n = len(previous_header)
    if not n or len(header) < n:
        return None
    rest: list[list[str]] = []
    for old_row, row in zip(previous_header, header):
        if len(old_row) != len(row):
            return None
        extra = ["" if compact(a) == compact(b) else b for a, b in zip(old_row, row)]
        if any(e and compact(a) for e, a in zip(extra, old_row)):
            return None  # a label changed: another header, not an addition
        if any(extra):
            rest.append(extra)
    rest += header[n:]
    return rest or None


def is_row_rest(last: list, first: list) -> bool:
    """The first row of a continued part is the rest of the part's last row before the page break
    (Word and LibreOffice let a row break across pages): no label of its own, only a few cells, each
    under a cell the row above filled ("10672" over "58": 1067258)."""
    filled = [i for i, c in enumerate(first) if c.text.strip()]
    if not filled or first[0].text.strip() or len(first) != len(last):
        return False
    before = [i for i, c in enumerate(last) if c.text.strip()]
    if len(filled) > len(before) / 2 or not all(last[i].text.strip() for i in filled):
        return False
    # a blank-label row with few values is also how a table says "same as above": only a cell that
    # cannot stand alone (".5", a lone "%", a closing bracket; or a cell above cut after its decimal
    # point or inside a bracket) tells them apart
    return any(first[i].text.strip()[0] in FRAGMENT_STARTS or last[i].text.strip().endswith(".")
               or open_brackets(last[i].text) > 0 for i in filled)


FRAGMENT_STARTS = ".%)）"  # "10" over ".5", "99.99" over "%", "(含…" over "…)"


def _join_broken_row(prev: TableParts, rest: list[list[str]]) -> None:
    """Append the rest of a row broken across the page to the previous part's last row, cell by cell."""
    last = prev.body[-1]
    for row in rest:
        for c, text in enumerate(row):
            if text.strip() and c < len(last):
                last[c].text = join_lines([last[c].text, text])
    prev.method_reason = (prev.method_reason + "; " if prev.method_reason else "") + "a row broken across the page joined"


def merge_continued(parts: list[tuple[TableParts, bool]]) -> list[TableParts]:
    """Join a table part into the one before it when it is adjacent and repeats (or lacks) its header;
    the rest of a row broken across the page goes back into that row."""
    merged: list[TableParts] = []
    for part, adjacent in parts:
        prev = merged[-1] if merged else None
        rest = broken_row_rest(prev.header, part.header) if prev is not None and adjacent and prev.body else None
        if rest is not None:
            _join_broken_row(prev, rest)
            part.header = prev.header
        if prev is not None and adjacent and (not part.header or continues(prev.header, part.header)):
            if part.body and prev.body and is_row_rest(prev.body[-1], part.body[0]):
                _join_broken_row(prev, [[c.text for c in part.body[0]]])
                part.body = part.body[1:]
            prev.body.extend(part.body)
            prev.notes.extend(part.notes)
            prev.title = prev.title or part.title  # a caption printed under the table's last part
            if part.page_end is not None:
                prev.page_end = part.page_end
            if part.header:
                prev.method_reason = (prev.method_reason + "; " if prev.method_reason else "") + "continued table joined, repeated header dropped"
            continue
        merged.append(part)
    return merged


ANNEX_LIST = re.compile(r"附\s*件\s*[:：]")
ANNEX_ITEM = re.compile(r"(?<=[:：\s])(\d{1,2})\s*[.．、]\s*(?!\d{1,2}[.．、])(\S[^\n]*)")
ANNEX_LIST_SPAN = 600  # characters after "附件：" where the list of annexes is looked for


def annex_titles(text: str) -> dict[str, str]:
    """The list of annexes a bulletin prints before its signature ("附件：1. …表 2. …表") as {title: "附件1"}."""
    m = ANNEX_LIST.search(text)
    if not m:
        return {}
    out = {}
    for item in ANNEX_ITEM.finditer(text, m.end(), m.end() + ANNEX_LIST_SPAN):
        title = squeeze_spaces(item.group(2))
        if len(title) >= 4:
            out[title] = f"附件{item.group(1)}"
    return out


def name_annexes(tables: list[Table], text: str) -> None:
    """Give a table without an "附件N" line the annex number its title has in the bulletin's annex list."""
    titles = annex_titles(text)
    for table in tables:
        if table.annex or not table.title:
            continue
        own = squeeze_spaces(table.title)
        hits = {annex for title, annex in titles.items() if own == title or (len(own) >= 6 and (own in title or title in own))}
        if len(hits) == 1:
            table.annex = hits.pop()


def build_tables(doc_id: str, parts: list[TableParts]) -> tuple[list[Table], list[Finding]]:
    tables, findings = [], []
    for i, part in enumerate(parts, start=1):
        table, found = assemble(part, doc_id, f"{doc_id[:12]}-t{i}")
        if table.columns and table.rows:
            tables.append(table)
            findings.extend(found)
    return tables, findings


def fill_document(doc: Document, text: str, parts: list[tuple[TableParts, bool]], narrative: list[tuple[int, int]]) -> Document:
    """Fill `doc` from the full text, the reader's table parts and the narrative's character ranges."""
    doc.text = text
    meta = extract_metadata(text)
    for key, value in vars(meta).items():
        setattr(doc, key, value)
    doc.tables, unsure = build_tables(doc.doc_id, merge_continued(parts))
    name_annexes(doc.tables, text)
    doc.findings.extend(unsure)
    from ..nlp import narrative as read_narrative  # spaCy loads once per process, only when needed

    story = read_narrative(text, doc.doc_id, narrative)
    doc.figures, doc.awards, doc.mentions, doc.rankings = story.figures, story.awards, story.mentions, story.rankings
    for item in [*doc.figures, *doc.awards, *doc.mentions]:
        item.page = doc.page_of(item.start)
    return doc
