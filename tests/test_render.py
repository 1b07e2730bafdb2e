"""The fixture renderers: rendered bulletins read back (pdfplumber, pypdfium2, python-docx, HTML)
as their specs say, long tables repeat their header, and hostile files are what they claim."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongbao.render import BulletinSpec, HeaderCell, TableSpec, spec_from_dict, spec_to_dict, spec_to_text
from tongbao.render.docx import render_docx
from tongbao.render.examples import DEPARTMENTS, examples
from tongbao.render.hostile import USER_PASSWORD, write_hostile_pdfs, write_hostile_texts
from tongbao.render.html import render_html
from tongbao.render.pdf import column_edges, render_pdf

EXAMPLES = examples()


def squash(text: str | None) -> str:
    """Text with all whitespace removed (wraps and layout spaces are not content)."""
    return re.sub(r"\s+", "", text or "")


def column_text(page, x0: float, x1: float) -> str:
    """Squashed text of the chars lying inside one column band of a page, top to bottom."""
    return squash(page.within_bbox((x0 + 0.5, 0, x1 - 0.5, page.height)).extract_text())


def band_cells(page, x0: float, x1: float) -> set[str]:
    """Squashed lines of one column band, and joins of up to 3 consecutive lines (wrapped cells)."""
    lines = [squash(x) for x in page.within_bbox((x0 + 0.5, 0, x1 - 0.5, page.height)).extract_text().splitlines()]
    return {"".join(lines[i:i + k]) for k in (1, 2, 3) for i in range(len(lines))}


def table_pages(pdf, table: TableSpec, key_col: int | None = None, **font) -> list[int]:
    """Indexes of the pages holding body rows of `table`: a cell of the key column (default: the
    one with the longest texts) fills whole lines of that column's band."""
    edges = column_edges(table, **font)
    c = key_col if key_col is not None else max(range(table.n_cols), key=lambda k: sum(len(r[k]) for r in table.rows))
    keys = {squash(r[c]) for r in table.rows if r[c]}
    return [i for i, page in enumerate(pdf.pages) if keys & band_cells(page, edges[c], edges[c + 1])]


def assert_table_readable(pdf, table: TableSpec, key_col: int | None = None, **font) -> None:
    """Every body cell is found in its column's text, and every table page starts with the header."""
    edges = column_edges(table, **font)
    pages = table_pages(pdf, table, key_col, **font)
    assert pages, table.title
    cols = [[column_text(pdf.pages[i], edges[c], edges[c + 1]) for i in pages] for c in range(table.n_cols)]
    for row in table.rows:
        for c, text in enumerate(row):
            assert any(squash(text) in t for t in cols[c]), (c, text)
    for i in pages:  # header repeated on every page the table continues onto
        for r, c, cell in table.header_grid():
            band = column_text(pdf.pages[i], edges[c], edges[c + cell.colspan])
            assert squash(cell.text) in band, (i, cell.text)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    return {name: render_pdf(spec, out / f"{name}.pdf") for name, spec in EXAMPLES.items()}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_spec_round_trips_through_json(name):
    spec = EXAMPLES[name]
    assert spec_from_dict(json.loads(json.dumps(spec_to_dict(spec), ensure_ascii=False))) == spec


def test_leaf_paths_of_multilevel_headers():
    score = EXAMPLES["score"].tables[0]
    paths = score.leaf_paths()
    assert len(paths) == score.n_cols == len(score.rows[0])
    assert paths[0] == ("序号",) and paths[-1] == ("合计",)
    assert paths[2] == ("“互联网+政务服务” (40分)", "网厅办件 (15分)")
    sat = EXAMPLES["satisfaction"].tables[0].leaf_paths()
    assert sat[0] == ("县（市、区）",)
    assert sat[3] == ("整体评价", "非常不满意", "评价数") and sat[-1] == ("整体评价", "非常满意", "百分比")


def test_examples_add_up():
    score, duty = EXAMPLES["score"].tables
    for row in score.rows:
        assert abs(sum(float(v) for v in row[2:-1]) - float(row[-1])) < 1e-6
    duties = {r[k]: int(r[k + 1]) for r in duty.rows for k in (0, 2) if r[k]}
    for row in score.rows:  # the note's rule: 8 duty weeks is the standard, 0.5 off per missing one
        assert float(row[7]) == max(0.0, 5 - 0.5 * max(0, 8 - duties[row[1]]))
    vol = EXAMPLES["volume"].tables[0]
    body, total = vol.rows[:-1], vol.rows[-1]
    assert len(body) >= 60 and total[0] == "合计"
    for c in range(1, 6):
        assert sum(int(r[c]) for r in body) == int(total[c])
    for r in vol.rows:
        assert sum(int(v) for v in r[1:5]) == int(r[5])
    sat = EXAMPLES["satisfaction"]
    rows = sat.tables[0].rows
    assert str(sum(int(r[1]) for r in rows)) in sat.paragraphs[1]
    for r in rows:
        assert sum(int(r[k]) for k in range(3, 13, 2)) == int(r[1])
    staff = EXAMPLES["volume"].tables[1]
    assert staff.rows[1][0] == "" and all(r[0] for r in staff.filled_rows())


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_pdf_reads_back_in_both_readers(pdfs, name):
    spec = EXAMPLES[name]
    with pdfplumber.open(pdfs[name]) as pdf:
        texts = [page.extract_text() for page in pdf.pages]
        whole = squash("".join(texts))
        for t in spec.tables:
            assert_table_readable(pdf, t)
    for s in [spec.title, spec.issue_date, spec.doc_number, spec.red_header, spec.signature, *spec.paragraphs]:
        assert squash(s) in whole, s
    if spec.doc_number:
        assert spec.doc_number in texts[0]  # 〔2023〕 kept exactly, no spaces inside
    doc = pdfium.PdfDocument(pdfs[name])
    try:
        assert len(doc) == len(texts)
        for i, page in enumerate(doc):
            ium = page.get_textpage().get_text_range()
            assert sorted(squash(ium)) == sorted(squash(texts[i]))  # same characters, any order
    finally:
        doc.close()


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_no_spaces_inserted_between_chinese_chars(pdfs, name):
    spec = EXAMPLES[name]
    with pdfplumber.open(pdfs[name]) as pdf:
        joined = "".join("".join(page.extract_text().splitlines()) for page in pdf.pages)
    for para in spec.paragraphs:
        for token in para.split():
            assert token in joined, token


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_page_footer_on_every_page(pdfs, name):
    with pdfplumber.open(pdfs[name]) as pdf:
        for i, page in enumerate(pdf.pages, 1):
            assert f"- {i} -" in page.extract_text().splitlines()


def test_long_table_continues_with_header_repeated(pdfs):
    table = EXAMPLES["volume"].tables[0]
    leaves = [p[-1] for p in table.leaf_paths()]
    with pdfplumber.open(pdfs["volume"]) as pdf:
        pages = table_pages(pdf, table)
        assert len(pages) >= 2 and len(pdf.pages) > 2
        body = []
        for i in pages:
            found = pdf.pages[i].extract_tables()
            assert [squash(x) for x in found[0][0]] == [squash(x) for x in leaves], i
            body += [[squash(x) for x in row] for row in found[0][1:]]
    assert body == [[squash(x) for x in row] for row in table.rows]


def test_full_grid_table_cells_come_back_from_pdfplumber_table_finder(pdfs):
    table = EXAMPLES["score"].tables[0]
    with pdfplumber.open(pdfs["score"]) as pdf:
        rows = pdf.pages[table_pages(pdf, table)[0]].extract_tables()[0]
    nh = len(table.header)
    assert [[squash(c) for c in r] for r in rows[nh:]] == [[squash(c) for c in r] for r in table.rows]
    # a long name wraps inside its cell: several lines, joined without spaces gives the name back
    wrapped = [c for r in rows[nh:] for c in r if c and "\n" in c]
    assert wrapped and all(c.replace("\n", "") in {x for r in table.rows for x in r} for c in wrapped)


def test_rulings_draw_the_right_lines(pdfs):
    with pdfplumber.open(pdfs["score"]) as pdf:
        grid = pdf.pages[table_pages(pdf, EXAMPLES["score"].tables[0])[0]].edges
        duty = pdf.pages[table_pages(pdf, EXAMPLES["score"].tables[1])[0]].edges
        first = pdf.pages[0]
        red = [c for c in first.chars if c["text"] == EXAMPLES["score"].red_header[0]]
        assert red and red[0]["non_stroking_color"][0] > 0.5 and red[0]["non_stroking_color"][1] < 0.1
    assert any(e["orientation"] == "v" for e in grid) and any(e["orientation"] == "h" for e in grid)
    assert duty and all(e["orientation"] == "h" for e in duty)


def test_docx_has_word_tables_with_merged_headers(tmp_path):
    import docx

    spec = EXAMPLES["satisfaction"]
    doc = docx.Document(render_docx(spec, tmp_path / "s.docx"))
    (t,) = doc.tables
    table = spec.tables[0]
    assert len(t.rows) == len(table.header) + len(table.rows) and len(t.columns) == table.n_cols
    top = t.rows[0].cells
    assert top[3] is not None and top[3]._tc is top[12]._tc  # 整体评价 spans 10 columns
    assert t.rows[0].cells[0]._tc is t.rows[2].cells[0]._tc  # 县（市、区） spans 3 rows
    assert [c.text for c in t.rows[-1].cells] == table.rows[-1]
    assert t.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
    assert any(spec.doc_number in p.text for p in doc.paragraphs)
    staff = EXAMPLES["volume"].tables[1]  # blank "same as above" cells become vertically merged cells
    t = docx.Document(render_docx(EXAMPLES["volume"], tmp_path / "v.docx")).tables[1]
    assert [r.cells[0].text for r in t.rows[1:]] == [r[0] for r in staff.filled_rows()]
    assert t.rows[1].cells[0]._tc is t.rows[2].cells[0]._tc


def test_html_utf8_and_gb18030(tmp_path):
    from bs4 import BeautifulSoup

    spec = EXAMPLES["score"]
    for enc in ("utf-8", "gb18030"):
        path = render_html(spec, tmp_path / f"s-{enc}.html", encoding=enc)
        raw = path.read_bytes()
        assert f'charset="{enc}"'.encode() in raw
        soup = BeautifulSoup(raw.decode(enc), "html.parser")
        tables = soup.find_all("table")
        assert len(tables) == len(spec.tables)
        assert tables[0].find("th", attrs={"colspan": "4"}).get_text() == "“互联网+政务服务” (40分)"
        body = [[td.get_text() for td in tr.find_all("td")] for tr in tables[0].find("tbody").find_all("tr")]
        assert body == spec.tables[0].rows
    with pytest.raises(UnicodeDecodeError):
        (tmp_path / "s-gb18030.html").read_bytes().decode("utf-8")


def test_spec_to_text_looks_like_the_seeds():
    text = spec_to_text(EXAMPLES["volume"])
    assert "\t".join(EXAMPLES["volume"].tables[0].rows[0]) in text
    assert "清政管办发〔2021〕15号" in text and text.index("附件1") > text.index("2021年4月8日")


def test_main_writes_example_pdfs_and_specs(tmp_path):
    from tongbao.render.__main__ import main

    assert main([str(tmp_path)]) == 0
    for name, spec in EXAMPLES.items():
        assert (tmp_path / f"{name}.pdf").read_bytes().startswith(b"%PDF")
        assert spec_from_dict(json.loads((tmp_path / f"{name}.json").read_text("utf-8"))) == spec


SYSTEM_CJK_FONTS = sorted(Path("/usr/share/fonts").glob("**/*[Ww][Qq][Yy]*.tt[cf]")) + sorted(
    Path("/usr/share/fonts").glob("**/NotoSansCJK*.tt[cf]"))


@pytest.mark.skipif(not SYSTEM_CJK_FONTS, reason="no CJK TrueType font installed")
def test_embedded_truetype_font_reads_back(tmp_path):
    for spec in EXAMPLES.values():
        path = render_pdf(spec, tmp_path / "ttf.pdf", font=SYSTEM_CJK_FONTS[0])
        with pdfplumber.open(path) as pdf:
            assert squash(spec.title) in squash(pdf.pages[0].extract_text())
            for t in spec.tables:
                assert_table_readable(pdf, t, font=SYSTEM_CJK_FONTS[0])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    return write_hostile_pdfs(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("name", ["truncated", "encrypted", "not_pdf"])
def test_hostile_pdfs_that_must_fail(hostile, name):
    with pytest.raises(Exception):
        with pdfplumber.open(hostile[name]) as pdf:
            pdf.pages[0].extract_text()
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(hostile[name])


def test_hostile_pdfs_that_open(hostile):
    with pdfplumber.open(hostile["good"]) as pdf:
        good = [p.extract_text() for p in pdf.pages]
    with pdfplumber.open(hostile["encrypted"], password=USER_PASSWORD) as pdf:
        assert [p.extract_text() for p in pdf.pages] == good
    with pdfplumber.open(hostile["encrypted_empty_user"]) as pdf:  # owner password only: opens as is
        assert pdf.doc.encryption and [p.extract_text() for p in pdf.pages] == good
    assert hostile["broken_xref"].read_bytes() != hostile["good"].read_bytes()
    with pdfplumber.open(hostile["broken_xref"]) as pdf:  # pdfminer rebuilds the xref by scanning
        assert [p.extract_text() for p in pdf.pages] == good
    with pdfplumber.open(hostile["zero_pages"]) as pdf:
        assert len(pdf.pages) == 0
    with pdfplumber.open(hostile["image_only"]) as pdf:
        assert len(pdf.pages) == len(good)
        assert all(not p.chars and p.images for p in pdf.pages)


def test_hostile_texts(tmp_path):
    out = write_hostile_texts(tmp_path)
    assert out["empty"].read_bytes() == b""
    with pytest.raises(UnicodeDecodeError):
        out["binary"].read_bytes().decode("utf-8")
    gb = out["gb18030"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gb.decode("utf-8")
    assert EXAMPLES["score"].doc_number in gb.decode("gb18030")
    no_table = out["no_table"].read_text("utf-8")
    assert EXAMPLES["score"].paragraphs[1] in no_table and "\t" not in no_table


@st.composite
def long_bulletins(draw) -> BulletinSpec:
    """A bulletin whose table (1 or 2 header levels, any ruling) starts after a varying amount of
    text and has a varying number of rows, so it breaks across pages at different rows."""
    n = draw(st.integers(5, 90))
    names = draw(st.lists(st.sampled_from(DEPARTMENTS), min_size=n, max_size=n))
    nums = draw(st.lists(st.lists(st.integers(0, 99999), min_size=3, max_size=3), min_size=n, max_size=n))
    rows = [[f"W{i:03d}", name, *map(str, v), str(sum(v))] for i, (name, v) in enumerate(zip(names, nums))]
    if draw(st.booleans()):
        header = [[HeaderCell("窗口号", rowspan=2), HeaderCell("单位名称", rowspan=2),
                   HeaderCell("办件量 (件)", colspan=3), HeaderCell("总量", rowspan=2)],
                  [HeaderCell("即办件"), HeaderCell("承诺件"), HeaderCell("上报件")]]
    else:
        header = [[HeaderCell(h) for h in ("窗口号", "单位名称", "即办件", "承诺件", "上报件", "总量")]]
    table = TableSpec(title="窗口办件量统计", annex=draw(st.sampled_from([None, "附件1"])), header=header,
                      rows=rows, ruling=draw(st.sampled_from(["full", "horizontal", "none"])),
                      col_widths=draw(st.sampled_from([None, [2, 3, 2, 2, 2, 2]])))
    paras = draw(st.integers(0, 8))
    return BulletinSpec(issuer="测试市政务服务中心", doc_number="测政〔2024〕1号", title="测试通报",
                        issue_date="2024年1月2日", paragraphs=["通报内容第%d段，办件量情况如下。" % i * 3
                                                               for i in range(paras)], tables=[table])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=long_bulletins())
def test_tables_cross_pages_at_any_row(tmp_path, spec):
    path = render_pdf(spec, tmp_path / "h.pdf")
    table = spec.tables[0]
    with pdfplumber.open(path) as pdf:
        assert_table_readable(pdf, table, key_col=0)
        pages = table_pages(pdf, table, key_col=0)
        if len(table.rows) >= 45:
            assert len(pages) >= 2
        ids = [w["text"] for i in pages for w in pdf.pages[i].extract_words() if re.fullmatch(r"W\d{3}", w["text"])]
        assert ids == [r[0] for r in table.rows]  # every row once, in order, none lost at a break
        for i, page in enumerate(pdf.pages, 1):
            assert f"- {i} -" in page.extract_text()
