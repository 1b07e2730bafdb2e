"""Bulletin metadata from its text: issuer, document number, issue date, period, title, region.

Everything comes from the text itself, never from the file name. A bulletin in traditional characters
is read through its simplified form (the patterns below are written in simplified characters), and each
string found is given back as the bulletin printed it, with its simplified form beside it
(`issuer_simplified` …).
"""
from __future__ import annotations

import re
from datetime import date

from ..model import Metadata
from ..normalize.places import locate_document
from ..normalize.script import Backmap, aligned_simplified
from ..normalize.text import clean_label, squeeze_spaces

DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔\[［【]\s*(\d{4})\s*[〕\]］】]\s*\d+\s*号")
DATE_LINE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(印发|发布)?\s*$")
ISSUER_SUFFIX = re.compile(r"(管委会|管理局|办公室|管理办公室|审批局|服务局|中心|委员会|人民政府|政府办公室|局|厅|办)$")
TITLE_WORDS = re.compile(r"(通报|情况|考评|考核|通知|公告|简报)")
CN_NUM = "一二三四"
MONTH = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月份?(?![\d日])")
QUARTER = re.compile(r"(?:(\d{4})\s*年\s*)?(?:第\s*)?([一二三四1-4])\s*季度")
ISSUE_NO = re.compile(r"(\d{4})\s*年\s*第\s*(\d+)\s*期")
MONTH_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}


def _lines(text: str) -> list[str]:
    return [l.strip() for l in text.splitlines()]


def find_doc_number(text: str) -> str | None:
    """明政务督〔2022〕9号, or a periodical's issue line "2022年第2期（总第10期）" when there is none."""
    m = DOC_NUMBER.search(text[:3000])
    if m:
        return re.sub(r"\s+", "", clean_label(m.group(0)))
    for line in _lines(text[:2000]):
        if ISSUE_NO.match(line) and len(line) <= 30:
            return squeeze_spaces(line)  # "2023 年第 1 期" as some exports space digits from Chinese
    return None


def find_issue_date(lines: list[str]) -> tuple[date | None, int | None]:
    """The first date printed on a line of its own (the signature date), and its line number."""
    for i, line in enumerate(lines):
        m = DATE_LINE.match(line)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3])), i
            except ValueError:
                continue
    return None, None


def find_issuer(lines: list[str], date_line: int | None) -> str | None:
    """The signature above the date line, completed from the letterhead when it lacks its region."""
    signature = None
    if date_line is not None:
        for line in reversed(lines[max(0, date_line - 3):date_line]):
            cand = clean_label(line).replace(" ", "")
            if cand and ISSUER_SUFFIX.search(cand) and len(cand) <= 30 and "\t" not in line:
                signature = cand
                break
    heads = [re.sub(r"文件$", "", clean_label(l).replace(" ", "")) for l in lines[:12] if l]
    heads = [h for h in heads if ISSUER_SUFFIX.search(h) and len(h) <= 30 and not TITLE_WORDS.search(h)]
    if signature:
        for head in heads:
            if head != signature and head.endswith(signature) and len(head) > len(signature):
                return head
        return signature
    return heads[0] if heads else None


def find_title(lines: list[str]) -> str | None:
    """The first short line that names the bulletin, joined with a short line wrapped above it."""
    for i, line in enumerate(lines[:40]):
        if "通报" in line and len(line) <= 80 and "\t" not in line and not line.endswith("。"):
            title = clean_label(line)
            prev = next((lines[j] for j in range(i - 1, -1, -1) if lines[j]), "")
            if (not title.startswith("关于") and prev and len(prev) <= 12 and not DOC_NUMBER.search(prev)
                    and not prev.endswith("文件") and not ISSUER_SUFFIX.search(prev)):
                title = clean_label(prev) + title
            return squeeze_spaces(title)
    return None


def _month_value(token: str) -> int | None:
    value = int(token) if token.isdigit() else MONTH_CN.get(token)
    return value if value and 1 <= value <= 12 else None


def find_period(title: str | None, text: str, issued: date | None, doc_year: int | None):
    """(label, start, end): a month ("2022-08") or a quarter ("2022-Q2")."""
    default_year = issued.year if issued else doc_year
    for source, order in ((title or "", ("month", "quarter")), (text[:2000], ("quarter", "month"))):
        for kind in order:
            found = _month_in(source, issued, default_year) if kind == "month" else _quarter_in(source, text, default_year)
            if found:
                return found
    return None, None, None


def _month_in(source: str, issued: date | None, default_year: int | None):
    m = MONTH.search(source)
    month = _month_value(m[2]) if m else None
    if not month:
        return None
    year = int(m[1]) if m[1] else default_year
    if year and not m[1] and issued and month > issued.month:
        year -= 1  # a January bulletin about December
    return _month_period(year, month) if year else None


def _quarter_in(source: str, text: str, default_year: int | None):
    q = QUARTER.search(source)
    if not q:
        return None
    quarter = int(q[2]) if q[2].isdigit() else CN_NUM.index(q[2]) + 1
    year = int(q[1]) if q[1] else (_issue_year(text) or default_year)
    return _quarter_period(year, quarter) if year else None


def _issue_year(text: str) -> int | None:
    m = ISSUE_NO.search(text[:2000])
    return int(m[1]) if m else None


def _month_period(year: int, month: int):
    end_day = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return f"{year}-{month:02d}", f"{year}-{month:02d}-01", f"{year}-{month:02d}-{end_day:02d}"


def _quarter_period(year: int, quarter: int):
    first = 3 * (quarter - 1) + 1
    _, start, _ = _month_period(year, first)
    _, _, end = _month_period(year, first + 2)
    return f"{year}-Q{quarter}", start, end


def find_region(issuer: str | None, text: str, title: str | None = None,
                issue_date: str | None = None) -> tuple[str | None, str | None, str | None]:
    """(province, city, district), current names, from the places the issuer, title and text name."""
    found = locate_document(issuer, title, text, issue_date)
    return found.province, found.city, found.district


STRING_FIELDS = ("issuer", "province", "city", "district", "doc_number", "title")


def extract_metadata(text: str) -> Metadata:
    """All metadata fields that the text states, as printed, and the strings also in simplified characters."""
    simplified = aligned_simplified(text)
    meta = _extract_metadata(simplified)
    printed = Backmap(text, simplified) if simplified is not text else None
    for name in STRING_FIELDS:
        value = getattr(meta, name)
        setattr(meta, name + "_simplified", value)
        if printed is not None:
            setattr(meta, name, printed(value))
    return meta


def _extract_metadata(text: str) -> Metadata:
    lines = _lines(text)
    issued, date_line = find_issue_date(lines)
    doc_number = find_doc_number(text)
    year_match = DOC_NUMBER.search(doc_number or "") or ISSUE_NO.search(doc_number or "")
    doc_year = int(year_match[1]) if year_match else None
    title = find_title(lines)
    issuer = find_issuer(lines, date_line)
    label, start, end = find_period(title, text, issued, doc_year)
    province, city, district = find_region(issuer, text, title, issued.isoformat() if issued else None)
    return Metadata(issuer=issuer, doc_number=doc_number, title=title,
                    issue_date=issued.isoformat() if issued else None, period_start=start, period_end=end,
                    period_label=label, province=province, city=city, district=district)
