"""Read an HTML bulletin (a government site's page, or a page saved from it).

The charset is the byte-order mark's, else the page's own declaration (<meta charset>, or the
http-equiv Content-Type), else detected as for text files (extract/encoding.py); a declaration the
bytes do not honour, or honour only as implausible Chinese (a "utf-8" page written in GBK happens),
falls back to the same detection. The page is parsed with BeautifulSoup and lxml and walked in
order: block elements (p, div, h1…, li, br …) give the narrative lines, and each data <table> gives
TableParts with colspan/rowspan expanded into a grid
("" where a merged cell continues). Header rows are the <thead> rows, else the leading rows of
<th> cells only, else the rows before the first mostly-numeric row. Tables used for page layout
(those holding another table, or a single row or column) are read as text, not as tables.
"""
from __future__ import annotations

import codecs
import re

from ..errors import ExtractionError, UndecodableText
from .. import limits
from ..model import Document
from .cell_text import join_lines
from .flow import flow_document
from .encoding import decode_bom, decode_text, plausibility
from .tables import RawCell, TableParts
from .text_layout import split_header

METHOD = "html"
BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section", "article",
         "header", "footer", "main", "aside", "nav", "blockquote", "pre", "center", "address", "figure", "figcaption",
         "form", "fieldset", "hr", "tr", "td", "th", "caption", "tbody", "thead", "tfoot", "body", "html", "table"}
SKIP = {"script", "style", "noscript", "template", "head", "title", "meta", "link", "iframe", "object", "svg",
        "select", "option", "button", "input", "textarea"}
MAX_DAMAGED_SHARE = 0.001  # undecodable bytes tolerated (replaced) in a page that is otherwise whole
MAX_CELL_CHARS = 200  # a table cell longer than this holds running text, not a value or a name
MAX_SPAN = 1000  # colspan/rowspan beyond this are damage, capped
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACES = re.compile(r"[ \t\r\n\f\u00a0]+")
ERROR_PAGE = re.compile(r"^\s*(40[0-9]|50[0-9])\b|not\s+found|forbidden|service\s+unavailable|bad\s+gateway"
                        r"|页面不存在|页面未找到|找不到(该)?页面|访问的页面|无法访问|已被删除", re.I)
ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "cp936": "gb18030",
           "windows-936": "gb18030", "x-euc-cn": "gb18030", "euc-cn": "gb18030"}


# ---------------------------------------------------------------- charset


def declared_charset(data: bytes) -> str | None:
    """The charset a <meta> in the page's first bytes declares, as a Python codec name."""
    m = _META_CHARSET.search(data[:8192])
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").lower()
    name = ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(data: bytes) -> tuple[str, str]:
    """(text, encoding): BOM, then the declared charset if the bytes honour it, then detection as for text."""
    if not data.strip():
        raise ExtractionError("empty file: no HTML to read")
    try:
        with_bom = decode_bom(data)
    except UndecodableText:
        with_bom = None  # a mark the bytes do not honour: detect, then try the damaged-page reading
    if with_bom is not None:
        return with_bom
    declared = declared_charset(data)
    if declared:
        try:
            text = data.decode(declared)
            if plausibility(text).ok:
                return text, declared
        except UnicodeDecodeError:
            pass  # declared wrongly: detect as for a text file
    try:
        return decode_text(data)
    except UndecodableText as exc:
        failure = exc
    except ExtractionError as exc:
        raise ExtractionError(str(exc).replace("text bulletin", "HTML page")) from exc
    # a few damaged bytes (a download cut mid-character): keep the page, mark the bytes
    for enc in dict.fromkeys([declared or "utf-8", "utf-8", "gb18030"]):
        text = data.decode(enc, errors="replace")
        if text.count("\ufffd") <= MAX_DAMAGED_SHARE * len(text) and plausibility(text).ok:
            return text, enc
    raise ExtractionError(f"{failure}: the page's bytes fit no charset")


# ---------------------------------------------------------------- walking the page


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _hidden(tag) -> bool:
    return bool(tag.attrs) and (tag.has_attr("hidden") or bool(_HIDDEN.search(tag.get("style") or "")))


def _own_rows(table):
    """The table's own <tr> rows with their section (thead/tbody/tfoot/None), not those of nested tables."""
    out = []
    for child in table.find_all(recursive=False):
        if child.name == "tr":
            out.append((child, None))
        elif child.name in ("thead", "tbody", "tfoot"):
            out += [(tr, child.name) for tr in child.find_all("tr", recursive=False)]
    return out


def is_data_table(table) -> bool:
    """A table of values, not a layout box: no table inside it, at least two rows and two columns."""
    if table.find("table") is not None:
        return False
    if any(len(_squash(c.get_text())) > MAX_CELL_CHARS for c in table.find_all(["td", "th"])):
        return False  # a cell holding paragraphs: the table lays out the page
    rows = _own_rows(table)
    widths = [sum(_span(c, "colspan") for c in tr.find_all(["td", "th"], recursive=False)) for tr, _ in rows]
    return len(rows) >= 2 and max(widths, default=0) >= 2


class _Walker:
    def __init__(self) -> None:
        self.items: list = []
        self.buf: list[str] = []

    def flush(self) -> None:
        text = "".join(self.buf)
        self.buf = []
        for line in text.split("\n"):
            line = _squash(line)
            if line:
                self.items.append(line)

    def walk(self, node) -> None:
        from bs4 import NavigableString, Tag
        from bs4.element import PreformattedString

        for child in node.children:
            if isinstance(child, Tag):
                name = child.name
                if name in SKIP or _hidden(child):
                    continue
                if name == "br":
                    self.buf.append("\n")
                    continue
                if name == "table" and is_data_table(child):
                    self.flush()
                    self.items.append(html_table(child))
                    continue
                block = name in BLOCK
                if block:
                    self.flush()
                self.walk(child)
                if block:
                    self.flush()
            elif isinstance(child, NavigableString) and not isinstance(child, PreformattedString):
                self.buf.append(str(child))


# ---------------------------------------------------------------- tables


def _span(cell, attr: str) -> int:
    try:
        return max(1, min(int(str(cell.get(attr, "1")).strip() or 1), MAX_SPAN))
    except ValueError:
        return 1


def cell_text(cell) -> str:
    """A cell's text, its lines (<br>, <p>) joined without spaces between Chinese characters."""
    from bs4 import NavigableString
    from bs4.element import PreformattedString

    lines, buf = [], []
    for el in cell.descendants:
        if getattr(el, "name", None) in ("br", "p", "div", "li"):
            lines.append("".join(buf))
            buf = []
        elif isinstance(el, NavigableString) and not isinstance(el, PreformattedString) \
                and el.parent is not None and el.parent.name not in SKIP:
            buf.append(str(el))
    lines.append("".join(buf))
    return join_lines(_squash(l) for l in lines)


def html_grid(table) -> tuple[list[list[str]], list[bool]]:
    """(text grid with spans expanded, whether each row is a header row by markup)."""
    taken: set[tuple[int, int]] = set()
    reach: dict[int, int] = {}  # row → width the cells placed in it (or spanning into it) reach
    grid: list[list[str]] = []
    marked: list[bool] = []
    rows = _own_rows(table)
    area = 0  # cells the spans cover: a few huge rowspans are a memory bomb
    for r, (tr, section) in enumerate(rows):
        cells = tr.find_all(["td", "th"], recursive=False)
        row: dict[int, str] = {}
        c = 0
        for cell in cells:
            while (r, c) in taken:
                c += 1
            colspan, rowspan = _span(cell, "colspan"), min(_span(cell, "rowspan"), len(rows) - r)
            row[c] = cell_text(cell)
            area += rowspan * colspan
            limits.check("table too large once its spans are expanded: cells", area, "grid_cells")
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
                reach[r + dr] = max(reach.get(r + dr, 0), c + colspan)
            c += colspan
        grid.append([row.get(k, "") for k in range(reach.get(r, 0))])
        marked.append(section == "thead" or (section != "tfoot" and bool(cells) and all(x.name == "th" for x in cells)))
    width = max((len(r) for r in grid), default=0)
    for row in grid:
        row += [""] * (width - len(row))
    return grid, marked


def html_table(table) -> TableParts:
    grid, marked = html_grid(table)
    n = 0
    while n < len(marked) and marked[n]:
        n += 1
    if 0 < n < len(grid):
        why = "header rows from <thead>/<th>"
    else:
        n, why = split_header(grid), "header rows before the first numeric row"
    caption = table.find("caption", recursive=False)
    return TableParts(
        header=[list(r) for r in grid[:n]], body=[[RawCell(t) for t in r] for r in grid[n:]],
        title=_squash(caption.get_text()) or None if caption else None,
        method=METHOD, method_reason=f"HTML table: colspan/rowspan expanded; {why}",
    )


# ---------------------------------------------------------------- reading


def _error_page(soup, items: list) -> str | None:
    """The page's title or heading when it says the page is an HTTP error (404 …) rather than a bulletin."""
    for tag in (soup.find("title"), soup.find("h1")):
        if tag is not None and ERROR_PAGE.search(tag.get_text() or ""):
            return _squash(tag.get_text())
    return None


def read_html(data: bytes, doc: Document) -> Document:
    """Fill `doc` from the bytes of an HTML page."""
    text, _encoding = decode_html(data)
    limits.check("page too long: characters", len(text), "text_chars")
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as exc:  # noqa: BLE001 - the parser is lenient; this is a safety net
        raise ExtractionError(f"corrupt HTML: {type(exc).__name__}: {exc}") from exc
    walker = _Walker()
    walker.walk(soup.body or soup)
    walker.flush()
    items = walker.items
    if not any(isinstance(i, TableParts) for i in items):
        reason = _error_page(soup, items)
        if reason:
            raise ExtractionError(f"not a bulletin: the html page is an error page «{reason}»")
        if not items:
            raise ExtractionError("empty HTML page: no text in its body")
    return flow_document(doc, items)
