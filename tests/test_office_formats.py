"""DOCX, HTML and XLSX readers: rendered bulletins come back as their specs say, read like the text
reader reads the same spec (tables, metadata, figures, check findings), and damaged or mislabelled
files become `failed` document rows with a clear reason."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tongbao.extract import read_document
from tongbao.extract.html import decode_html
from tongbao.extract.tables import is_side_by_side
from tongbao.extract.xlsx import format_number
from tongbao.normalize.text import clean_label
from tongbao.pipeline import process_file
from tongbao.render.docx import render_docx
from tongbao.render.examples import examples
from tongbao.render.html import render_html, spec_to_html
from tongbao.render.spec import BulletinSpec, HeaderCell as H, TableSpec, spec_to_text
from tongbao.render.xlsx import excel_value, render_xlsx

from roundtrip import assert_table_matches, squash
from strategies import score_tables

EXAMPLES = examples()
PARAGRAPHS = [
    "各有关部门（单位）：",
    "根据本月窗口考核情况，现将考核结果通报如下。本月共受理办件 1234 件，其中网上办件 567 件，占比 45.95%。",
    "请各单位对照考核结果，认真整改，持续提升服务水平。",
]


def render(spec: BulletinSpec, fmt: str, folder: Path, name: str = "doc") -> Path:
    """Render `spec` in one of the office formats (html-gb18030: GB18030 bytes; xlsx-plain: no print titles)."""
    if fmt == "docx":
        return render_docx(spec, folder / f"{name}.docx")
    if fmt.startswith("html"):
        return render_html(spec, folder / f"{name}-{fmt}.html", encoding="gb18030" if fmt.endswith("gb18030") else "utf-8")
    return render_xlsx(spec, folder / f"{name}-{fmt}.xlsx", print_titles=fmt == "xlsx")


FORMATS = ["docx", "html", "html-gb18030", "xlsx", "xlsx-plain"]
METHOD = {"docx": "docx", "html": "html", "html-gb18030": "html", "xlsx": "xlsx", "xlsx-plain": "xlsx"}


def tables_only(spec: BulletinSpec) -> BulletinSpec:
    """What a workbook holds of a bulletin: its tables, without narrative or letterhead."""
    return BulletinSpec(issuer="", doc_number=None, title="", issue_date="", paragraphs=[], tables=spec.tables)


def _label_col(table: TableSpec) -> int:
    first = table.leaf_paths()[0][-1] if table.leaf_paths()[0] else ""
    return 1 if first == "序号" else 0


def _side_by_side(table: TableSpec) -> bool:
    return is_side_by_side([[h.text for h in r] for r in table.header])


# ---------------------------------------------------------------- the examples


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    """{(format, example): (document, text-reader document of the same content)}, all through the pipeline."""
    out = tmp_path_factory.mktemp("office")
    text_docs = {}
    for name, spec in EXAMPLES.items():
        for key, s in (("full", spec), ("tables", tables_only(spec))):
            txt = out / f"{name}-{key}.txt"
            txt.write_text(spec_to_text(s), encoding="utf-8")
            text_docs[(name, key)] = process_file(txt)
    pairs = {}
    for fmt in FORMATS:
        for name, spec in EXAMPLES.items():
            doc = process_file(render(spec, fmt, out, name))
            pairs[(fmt, name)] = (doc, text_docs[(name, "tables" if fmt.startswith("xlsx") else "full")])
    return pairs


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_tables_round_trip(docs, fmt, name):
    doc, _ = docs[(fmt, name)]
    spec = EXAMPLES[name]
    assert doc.status == "ok", doc.error
    assert doc.format == METHOD[fmt]
    assert len(doc.tables) == len(spec.tables)
    got = {squash(t.title): t for t in doc.tables}
    for table in spec.tables:
        if not _side_by_side(table):
            assert_table_matches(table, got[squash(clean_label(table.title))], _label_col(table))
    assert all(t.method == METHOD[fmt] and t.method_reason for t in doc.tables)
    assert [t.unit for t in doc.tables] == [t.unit and t.unit.split("：")[-1] for t in spec.tables]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_reads_like_the_spec_text(docs, fmt, name):
    """Tables (side-by-side ones included), metadata, figures and findings agree with the text reader."""
    doc, txt = docs[(fmt, name)]
    assert doc.status == txt.status == "ok", doc.error
    assert [(t.annex, t.n_rows, t.n_cols) for t in doc.tables] == [(t.annex, t.n_rows, t.n_cols) for t in txt.tables]
    for a, b in zip(doc.tables, txt.tables):
        assert [c.header_path for c in a.columns] == [c.header_path for c in b.columns]
        assert [[(c.text, c.row_label, c.filled_from_above) for c in r] for r in a.rows] == \
               [[(c.text, c.row_label, c.filled_from_above) for c in r] for r in b.rows]
        assert a.notes == b.notes and a.unit == b.unit and squash(a.title) == squash(b.title)
    if not fmt.startswith("xlsx"):
        for key in ("doc_number", "issue_date", "issuer", "title", "period_label", "city"):
            assert getattr(doc, key) == getattr(txt, key), key
    assert sorted((f.value, f.unit) for f in doc.figures) == sorted((f.value, f.unit) for f in txt.figures)

    def findings(d):
        return sorted((f.check, f.severity, f.message) for f in d.findings)

    assert findings(doc) == findings(txt)
    assert not [f for f in doc.findings if f.severity == "error"]


@pytest.mark.parametrize("fmt", ["docx", "html", "html-gb18030"])
def test_metadata(docs, fmt):
    score, _ = docs[(fmt, "score")]
    assert score.doc_number == "江政务督〔2023〕7号" and score.issue_date == "2023-06-12"
    volume, _ = docs[(fmt, "volume")]
    assert volume.doc_number == "清政管办发〔2021〕15号" and volume.issue_date == "2021-04-08"
    assert {f.value for f in volume.figures} >= {float(EXAMPLES["volume"].tables[0].rows[-1][-1])}
    # figures come from the narrative only, never from table cells
    assert all(not any(a <= f.start < b for a, b in _table_spans(volume)) for f in volume.figures)


def _table_spans(doc):
    spans, at = [], 0
    for t in doc.tables:
        first = "\t".join(c.text for c in t.rows[0]).split("\t")[0]
        pos = doc.text.find(first, at)
        if pos >= 0:
            spans.append((pos, pos + len(first)))
            at = pos
    return spans


# ---------------------------------------------------------------- generated tables


def _bulletin(table: TableSpec) -> BulletinSpec:
    return BulletinSpec(
        issuer="某某市政务服务中心", doc_number="某政务〔2023〕5号", title="某某市政务服务中心关于月度窗口考核情况的通报",
        issue_date="2023年5月6日", paragraphs=PARAGRAPHS, tables=[table], signature="某某市政务服务中心",
    )


GEN = settings(max_examples=15, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _check_generated(table: TableSpec, path: Path, with_text: bool) -> None:
    doc = read_document(path)
    assert doc.status == "ok", doc.error
    assert len(doc.tables) == 1, [t.title for t in doc.tables]
    assert_table_matches(table, doc.tables[0], 0)
    if with_text:
        assert doc.doc_number == "某政务〔2023〕5号" and doc.issue_date == "2023-05-06"
        assert {f.value for f in doc.figures} >= {1234.0, 567.0, 45.95}


@GEN
@given(table=score_tables(max_rows=40))
def test_generated_docx_round_trip(tmp_path, table):
    _check_generated(table, render(_bulletin(table), "docx", tmp_path), True)


@GEN
@given(table=score_tables(max_rows=40))
def test_generated_html_round_trip(tmp_path, table):
    for fmt in ("html", "html-gb18030"):
        _check_generated(table, render(_bulletin(table), fmt, tmp_path), True)


@GEN
@given(table=score_tables(max_rows=40))
def test_generated_xlsx_round_trip(tmp_path, table):
    for fmt in ("xlsx", "xlsx-plain"):
        _check_generated(table, render(_bulletin(table), fmt, tmp_path), False)


# ---------------------------------------------------------------- merged body cells, charsets, number formats


def _staff_table() -> TableSpec:
    return TableSpec(title="窗口人员考核表", annex="附件1", merge_blanks=True,
                     header=[[H("部门", rowspan=2), H("考核", colspan=2), H("得分", rowspan=2)], [H("纪律"), H("出勤")]],
                     rows=[["市税务局", "9", "8", "17"], ["", "10", "9", "19"], ["", "7", "6", "13"],
                           ["市民政局", "8", "8", "16"], ["", "5", "4", "9"]])


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "xlsx-plain"])
def test_vertically_merged_labels_are_filled_from_above(tmp_path, fmt):
    table = _staff_table()
    doc = read_document(render(_bulletin(table), fmt, tmp_path))
    assert doc.status == "ok", doc.error
    assert_table_matches(table, doc.tables[0], 0)
    assert [r[0].filled_from_above for r in doc.tables[0].rows] == [False, True, True, False, True]


def test_html_rowspan_in_the_body_is_filled_from_above(tmp_path):
    html = spec_to_html(_bulletin(_staff_table())).replace(
        "<tr><td style=\"border:1px solid #000\">市税务局</td>", "<tr><td rowspan=\"3\">市税务局</td>").replace(
        "<tr><td style=\"border:1px solid #000\">市民政局</td>", "<tr><td rowspan=\"2\">市民政局</td>")
    html = html.replace("<tr><td style=\"border:1px solid #000\"></td>", "<tr>")
    assert html.count("rowspan=\"3\"") == 1 and "<tr><td style=\"border:1px solid #000\"></td>" not in html
    path = tmp_path / "rowspan.html"
    path.write_text(html, encoding="utf-8")
    doc = read_document(path)
    assert doc.status == "ok", doc.error
    assert_table_matches(_staff_table(), doc.tables[0], 0)


def test_html_declared_utf8_but_written_in_gbk(tmp_path):
    spec = EXAMPLES["volume"]
    path = tmp_path / "lying.html"
    path.write_bytes(spec_to_html(spec, charset="utf-8").encode("gbk", errors="replace"))
    doc = read_document(path)
    assert doc.status == "ok", doc.error
    assert doc.doc_number == "清政管办发〔2021〕15号" and len(doc.tables) == 2
    assert decode_html("<meta charset=gb2312>中文".encode("gb18030"))[1] == "gb18030"
    assert decode_html(b"\xef\xbb\xbf<p>\xe4\xb8\xad</p>") == ("<p>中</p>", "utf-8")


def test_html_layout_tables_are_read_through(tmp_path):
    """A page wrapped in a layout table still yields its data table and paragraphs."""
    inner = spec_to_html(EXAMPLES["volume"]).split("<body>")[1].split("</body>")[0]
    page = f"<html><head><meta charset='utf-8'></head><body><table><tr><td>{inner}</td></tr></table></body></html>"
    path = tmp_path / "layout.html"
    path.write_text(page, encoding="utf-8")
    doc = read_document(path)
    assert doc.status == "ok", doc.error
    assert [t.n_rows for t in doc.tables] == [63, 16] and doc.doc_number == "清政管办发〔2021〕15号"


@pytest.mark.parametrize("value, fmt, printed", [
    (14.8, "0.0", "14.8"), (10, "0", "10"), (0.125, "0.00", "0.13"), (2.675, "0.00", "2.68"),
    (0.9805, "0.00%", "98.05%"), (0.5, "0%", "50%"), (1234567.891, "#,##0.00", "1,234,567.89"),
    (0.1 + 0.2, "General", "0.3"), (3.0, "General", "3"), (-0.04, "0.0", "0.0"), (7, '0.0_);[Red](0.0)', "7.0"),
    (45.9500001, "0.00", "45.95"), (98.0, '0.0"分"', "98.0"),
])
def test_numbers_print_as_excel_prints_them(value, fmt, printed):
    assert format_number(value, fmt) == printed


@pytest.mark.parametrize("text", ["14.8", "10", "0.00%", "98.05%", "100.0", "0", "5172929"])
def test_renderer_stores_numbers_that_print_back(text):
    value, fmt = excel_value(text)
    assert isinstance(value, (int, float)) and format_number(value, fmt) == text
    assert excel_value("A01") == ("A01", None) and excel_value("007") == ("007", None)


# ---------------------------------------------------------------- bad files


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("bad")
    good_docx = render_docx(EXAMPLES["score"], out / "good.docx").read_bytes()
    good_xlsx = render_xlsx(EXAMPLES["score"], out / "good.xlsx").read_bytes()
    files = {
        "zip_not_docx.docx": _zip({"readme.txt": b"hello", "data.csv": b"a,b\n1,2\n"}),
        "truncated.docx": good_docx[: len(good_docx) // 2],
        "truncated_tail.docx": good_docx[:-40],
        "text.xlsx": "部门\t办件量\n市税务局\t12\n".encode("utf-8"),
        "truncated.xlsx": good_xlsx[: len(good_xlsx) // 3],
        "workbook_named.docx": good_xlsx,
        "document_named.xlsx": good_docx,
        "broken_xml.docx": _zip({"[Content_Types].xml": b"<Types", "word/document.xml": b"<w:document"}),
        "legacy.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        "error_page.html": b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>",
        "empty.html": b"<html><body>   </body></html>",
    }
    for name, data in files.items():
        (out / name).write_bytes(data)
    return {name: out / name for name in files}


@pytest.mark.parametrize("name, reason", [
    ("zip_not_docx.docx", "corrupt DOCX: the zip package is some other zip archive, not a DOCX (no word/document.xml)"),
    ("truncated.docx", "corrupt DOCX"),
    ("truncated_tail.docx", "corrupt DOCX"),
    ("text.xlsx", "corrupt XLSX: not a readable zip package"),
    ("truncated.xlsx", "corrupt XLSX"),
    ("workbook_named.docx", "corrupt DOCX: the zip package is an Excel workbook"),
    ("document_named.xlsx", "corrupt XLSX: the zip package is a Word document"),
    ("broken_xml.docx", "corrupt DOCX"),
    ("legacy.doc", "legacy .doc (Office 97-2003 binary) is not supported"),
    ("error_page.html", "not a bulletin: the html page is an error page «404 Not Found»"),
    ("empty.html", "empty HTML page"),
])
def test_bad_files_fail_with_a_clear_reason(bad_files, name, reason):
    doc = read_document(bad_files[name])
    assert doc.status == "failed"
    assert reason in doc.error, doc.error
    assert "internal error" not in doc.error


# ---------------------------------------------------------------- layouts the renderers do not produce


def test_docx_without_repeat_marks_finds_the_header_from_the_numbers(tmp_path):
    import docx

    path = render(EXAMPLES["satisfaction"], "docx", tmp_path)
    word = docx.Document(str(path))
    for el in word.element.body.xpath(".//w:tblHeader"):
        el.getparent().remove(el)
    word.save(str(path))
    doc = read_document(path)
    assert doc.status == "ok", doc.error
    table = doc.tables[0]
    assert table.n_header_rows == 3 and "first numeric row" in table.method_reason
    assert_table_matches(EXAMPLES["satisfaction"].tables[0], table, 0)


def test_docx_table_split_in_two_with_repeated_header_is_one_table(tmp_path):
    import docx

    spec = EXAMPLES["volume"].tables[0]
    first = TableSpec(title=spec.title, annex=spec.annex, unit=spec.unit, header=spec.header, rows=spec.rows[:30])
    rest = TableSpec(title="", annex=None, header=spec.header, rows=spec.rows[30:])
    bulletin = BulletinSpec(issuer="清河区政务服务管理办公室", doc_number=None, title="办件情况通报",
                            issue_date="2021年4月8日", paragraphs=["现将办件情况通报如下："], tables=[first])
    path = render(bulletin, "docx", tmp_path)
    word = docx.Document(str(path))
    from tongbao.render.docx import add_table

    add_table(word, rest)  # the part's title line is empty: nothing stands between the two Word tables
    word.save(str(path))
    doc = read_document(path)
    assert doc.status == "ok", doc.error
    assert len(doc.tables) == 1 and doc.tables[0].n_rows == len(spec.rows)
    assert "continued table joined" in doc.tables[0].method_reason


def test_xlsx_sheet_with_two_tables_and_a_named_sheet(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "3月办件"
    ws.append(["3月份窗口办件量统计"])
    ws.merge_cells("A1:C1")
    ws.append(["部门", "办件量", "占比"])
    for row in [["市税务局", 30, 0.3], ["市民政局", 70, 0.7], ["合计", 100, 1.0]]:
        ws.append(row)
        ws.cell(ws.max_row, 3).number_format = "0.0%"
    ws.append([])
    ws.append(["3月份窗口评价统计"])
    ws.append(["部门", "好评", "差评"])
    ws.append(["市税务局", 29, 1])
    ws.append(["市民政局", 70, 0])
    ws.append(["说明：差评已全部整改。"])
    ws2 = wb.create_sheet("附件2")
    ws2.append(["部门", "得分"])
    ws2.append(["市税务局", 98.5])
    ws2.cell(2, 2).number_format = "0.00"
    ws3 = wb.create_sheet("窗口人员")
    ws3.append(["姓名", "得分"])
    ws3.append(["张三", 96])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    doc = read_document(path)
    assert doc.status == "ok", doc.error
    assert [(t.title, t.annex, t.n_rows) for t in doc.tables] == [
        ("3月份窗口办件量统计", None, 3), ("3月份窗口评价统计", None, 2), (None, "附件2", 1), ("窗口人员", None, 1)]
    assert [c.text for c in doc.tables[0].rows[0]] == ["市税务局", "30", "30.0%"]
    assert doc.tables[1].notes == ["说明：差评已全部整改。"]
    assert doc.tables[2].rows[0][1].text == "98.50" and doc.tables[2].rows[0][1].decimals == 2


def test_section_row_in_a_table_with_a_total_column(tmp_path):
    path = tmp_path / "section.html"
    path.write_text("<html><body><p>附件1</p><p>办件统计</p><table><tr><th>部门</th><th>审批</th><th>合计</th></tr>"
                    "<tr><td>市税务局</td><td>1</td><td>1</td></tr><tr><td colspan='3'>二、区直部门</td></tr>"
                    "<tr><td>区税务局</td><td>2</td><td>2</td></tr></table></body></html>", encoding="utf-8")
    doc = read_document(path)
    assert doc.status == "ok", doc.error


def test_xlsx_hidden_rows_and_columns_are_not_read(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "附件1"
    for row in [["部门", "办件", "备用", "合计"], ["市税务局", 1, "x", 1], ["隐藏局", 2, "y", 2], ["市民政局", 3, "z", 3]]:
        ws.append(row)
    ws.column_dimensions["C"].hidden = True
    ws.row_dimensions[3].hidden = True
    wb.save(tmp_path / "hidden.xlsx")
    doc = read_document(tmp_path / "hidden.xlsx")
    assert doc.status == "ok", doc.error
    (table,) = doc.tables
    assert [c.header_path for c in table.columns] == ["部门", "办件", "合计"] and table.annex == "附件1"
    assert [[c.text for c in r] for r in table.rows] == [["市税务局", "1", "1"], ["市民政局", "3", "3"]]
