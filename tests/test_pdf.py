"""PDF reader: rendered bulletins come back as their specs say, as the text reader reads the same
spec, and damaged PDFs become `failed` document rows with a clear reason."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tongbao.extract import read_document
from tongbao.extract.document import broken_row_rest, is_row_rest, merge_continued
from tongbao.extract.pdf import join_cell_lines, open_pdf, read_pages, read_pdf
from tongbao.extract.pdf_pages import PageTable
from tongbao.extract.pdf_camelot import CamelotReader, choose, needs_second_opinion, score
from tongbao.extract.tables import RawCell, TableParts
from tongbao.extract.tables import is_side_by_side
from tongbao.errors import ExtractionError
from tongbao.model import Document
from tongbao.pipeline import process_file
from tongbao.render.examples import examples
from tongbao.render.hostile import write_hostile_pdfs
from tongbao.render.pdf import render_pdf
from tongbao.render.spec import BulletinSpec, HeaderCell, TableSpec, spec_to_text

from roundtrip import assert_table_matches, squash
from strategies import score_tables

EXAMPLES = examples()
PARAGRAPHS = [
    "各有关部门（单位）：",
    "根据本月窗口考核情况，现将考核结果通报如下。本月共受理办件 1234 件，其中网上办件 567 件，占比 45.95%。",
    "请各单位对照考核结果，认真整改，持续提升服务水平。",
]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    return {name: render_pdf(spec, out / f"{name}.pdf") for name, spec in EXAMPLES.items()}


@pytest.fixture(scope="module")
def docs(pdfs, tmp_path_factory) -> dict[str, tuple[Document, Document]]:
    """(PDF document, text document) of every example, both run through the pipeline."""
    out = tmp_path_factory.mktemp("txt")
    pairs = {}
    for name, spec in EXAMPLES.items():
        txt = out / f"{name}.txt"
        txt.write_text(spec_to_text(spec), encoding="utf-8")
        pairs[name] = (process_file(pdfs[name]), process_file(txt))
    return pairs


def _label_col(table: TableSpec) -> int:
    """Column naming the row: 部门 after a 序号 column, else the first."""
    first = table.leaf_paths()[0][-1] if table.leaf_paths()[0] else ""
    return 1 if first == "序号" else 0


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_tables_round_trip(docs, name):
    pdf_doc, _ = docs[name]
    spec = EXAMPLES[name]
    plain = [t for t in spec.tables if not is_side_by_side([[h.text for h in r] for r in t.header])]
    got = {squash(t.title): t for t in pdf_doc.tables}
    assert len(pdf_doc.tables) == len(spec.tables)
    for table in plain:
        assert_table_matches(table, got[squash(table.title)], _label_col(table), geometry=True)
    assert all(t.method == "pdfplumber" and t.method_reason for t in pdf_doc.tables)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_pdf_reads_like_the_spec_text(docs, name):
    """Tables, metadata, figures and check findings agree with the text reader on the same spec."""
    pdf_doc, txt_doc = docs[name]
    assert pdf_doc.status == txt_doc.status == "ok"
    for key in ("doc_number", "issue_date", "issuer", "title", "period_label", "city"):
        assert getattr(pdf_doc, key) == getattr(txt_doc, key), key
    assert [(t.annex, t.n_rows, t.n_cols) for t in pdf_doc.tables] == [(t.annex, t.n_rows, t.n_cols) for t in txt_doc.tables]
    for a, b in zip(pdf_doc.tables, txt_doc.tables):
        assert [c.header_path for c in a.columns] == [c.header_path for c in b.columns]
        assert [[(c.text, c.row_label) for c in r] for r in a.rows] == [[(c.text, c.row_label) for c in r] for r in b.rows]
        assert a.notes == b.notes and a.unit == b.unit
    assert sorted((f.value, f.unit) for f in pdf_doc.figures) == sorted((f.value, f.unit) for f in txt_doc.figures)
    assert all(f.page is not None for f in pdf_doc.figures)

    def findings(doc):
        return sorted((f.check, f.severity, f.message) for f in doc.findings)

    assert findings(pdf_doc) == findings(txt_doc)
    assert not [f for f in pdf_doc.findings if f.severity == "error"]


def test_metadata_and_pages(docs):
    score, _ = docs["score"]
    assert score.doc_number == "江政务督〔2023〕7号" and score.issue_date == "2023-06-12"
    assert score.n_pages == 3 and len(score.page_offsets) == 3
    assert [t.page_start for t in score.tables] == [2, 3]
    assert any(f.value == 0.5 and f.page == 1 for f in score.figures)


def test_long_table_across_pages_is_one_table(docs):
    volume, _ = docs["volume"]
    spec = EXAMPLES["volume"].tables[0]
    table = volume.tables[0]
    assert table.n_rows == len(spec.rows) == 63
    assert table.page_end > table.page_start
    assert len({c.page for c in table.cells()}) == table.page_end - table.page_start + 1
    assert volume.figures and {f.value for f in volume.figures} >= {float(spec.rows[-1][-1])}


def test_join_cell_lines():
    assert join_cell_lines("市自然资源局（含\n市不动产登记\n中心）") == "市自然资源局（含市不动产登记中心）"
    assert join_cell_lines("Service\nCenter 2") == "Service Center 2"
    assert join_cell_lines(None) == ""
    assert join_cell_lines("966\n186") == "966186" and join_cell_lines("0.0\n0%") == "0.00%"  # numbers a narrow cell wrapped


def test_broken_row_rest_goes_back_into_its_row():
    """A row broken across the page leaves its rest under the repeated header of the next part."""
    header = [["部门", "办件量"]]
    prev = TableParts(header=header, body=[[RawCell("市人社局"), RawCell("12")], [RawCell("市自然资源局（含市"), RawCell("7")]])
    rest = TableParts(header=header + [["不动产登记中心）", ""]], body=[[RawCell("市医保局"), RawCell("3")]])
    assert broken_row_rest(prev.header, rest.header) == [["不动产登记中心）", ""]]
    assert broken_row_rest(prev.header, [["部门", "办件"], ["x", ""]]) is None  # another header: not a rest
    # the rest read into a cell the repeated header leaves empty (a lineless table's header grid)
    grid = [["部门", "办件管理", ""], ["", "受理", "办结"]]
    assert broken_row_rest(grid, [["部门", "办件管理", ""], ["队", "受理", "办结"]]) == [["队", "", ""]]
    assert broken_row_rest(grid, [["部门", "办件量", ""], ["队", "受理", "办结"]]) is None
    (table,) = merge_continued([(prev, False), (rest, True)])
    assert [[c.text for c in r] for r in table.body] == [["市人社局", "12"], ["市自然资源局（含市不动产登记中心）", "7"], ["市医保局", "3"]]
    assert "broken across the page" in table.method_reason


def test_row_rest_after_the_page_break_is_told_from_same_as_above():
    """The rest of a broken row carries a piece that cannot stand alone; a blank-label row does not."""
    last = [RawCell(t) for t in ("北塘区", "10672", "10565", "0", "0.00%", "23", "0.00%", "99.99")]
    rest = [RawCell(t) for t in ("", "58", "23", "", "", "", "", "%")]
    same_as_above = [RawCell(t) for t in ("", "58", "23", "", "", "", "", "")]
    assert is_row_rest(last, rest) and not is_row_rest(last, same_as_above)
    header = [["县区", "总评价数", "用户评价", "差评", "占比", "好评", "占比", "满意率"]]
    other = [RawCell(t) for t in ("青石县", "7", "6", "0", "0.00%", "6", "85.71%", "99.90%")]
    (table,) = merge_continued([(TableParts(header=header, body=[last]), False),
                                (TableParts(header=header, body=[rest, other]), True)])
    assert [[c.text for c in r] for r in table.body] == [
        ["北塘区", "1067258", "1056523", "0", "0.00%", "23", "0.00%", "99.99%"], [c.text for c in other]]


def _bulletin(table: TableSpec) -> BulletinSpec:
    return BulletinSpec(
        issuer="某某市政务服务中心", doc_number="某政务〔2023〕5号", title="某某市政务服务中心关于月度窗口考核情况的通报",
        issue_date="2023年5月6日", paragraphs=PARAGRAPHS, tables=[table], signature="某某市政务服务中心",
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(table=score_tables(max_rows=60))
def test_generated_tables_round_trip(tmp_path, table):
    spec = _bulletin(table)
    path = render_pdf(spec, tmp_path / "gen.pdf")
    doc = read_document(path)
    assert doc.status == "ok", doc.error
    assert len(doc.tables) == 1, [t.title for t in doc.tables]
    assert_table_matches(table, doc.tables[0], 0, geometry=True)
    assert doc.doc_number == "某政务〔2023〕5号" and doc.issue_date == "2023-05-06"
    assert {f.value for f in doc.figures} >= {1234.0, 567.0, 45.95}


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(table=score_tables(max_rows=40))
def test_generated_lineless_tables_round_trip(tmp_path, table):
    """A table printed with no ruling lines at all comes back from text alignment alone: header
    groups of one to three levels judged by where their labels are centred, labels wrapped in their
    cells, and pages whose rows all say "same as above"."""
    table.ruling = "none"
    doc = read_document(render_pdf(_bulletin(table), tmp_path / "gen.pdf"))
    assert doc.status == "ok", doc.error
    assert len(doc.tables) == 1, [t.title for t in doc.tables]
    assert_table_matches(table, doc.tables[0], 0, geometry=True)
    assert doc.tables[0].method == "pdfplumber-text" and "no ruling lines" in doc.tables[0].method_reason
    assert {f.value for f in doc.figures} >= {1234.0, 567.0, 45.95}


def _lineless_round_trip(tmp_path, header: list[list[HeaderCell]], rows: list[list[str]]) -> None:
    table = TableSpec(title="窗口考核统计表", annex="附件1", header=header, rows=rows, ruling="none")
    doc = read_document(render_pdf(_bulletin(table), tmp_path / "gen.pdf"))
    assert doc.status == "ok", doc.error
    assert len(doc.tables) == 1, [t.title for t in doc.tables]
    assert_table_matches(table, doc.tables[0], 0, geometry=True)


def test_lineless_group_label_over_columns_right_of_a_wide_label_column(tmp_path):
    """A group label centred over three columns, beside a label column widened by one long name:
    the column edges are guesses from empty strips, so the centring is judged on the labels below."""
    header = [[HeaderCell("部门", 1, 2), HeaderCell("办件管理", 3, 1)],
              [HeaderCell("网厅办件"), HeaderCell("电子证照"), HeaderCell("并联审批")]]
    rows = [["市人社局", "0", "0", "0"]] + [["", "0", "0", "0"]] * 36 + [["市公安局(含出入境支队)1分中心", "0", "0", "0"]]
    _lineless_round_trip(tmp_path, header, rows)


def test_lineless_group_labels_side_by_side(tmp_path):
    """Three group labels on one line, one over a single column: each heads the columns that leave
    every column under exactly one of them, not the widest run centred on it."""
    header = [[HeaderCell("部门", 1, 2), HeaderCell("办件管理", 3, 1), HeaderCell("服务评价"), HeaderCell("窗口建设", 3, 1)],
              [HeaderCell(t) for t in ("网厅办件", "电子证照", "并联审批", "星级达标", "行为规范", "党建工作", "信息宣传")]]
    _lineless_round_trip(tmp_path, header, [["市人社局"] + ["0"] * 7, [""] + ["0"] * 7])


def test_lineless_group_beside_a_label_spanning_the_header_rows(tmp_path):
    """部门 spans both header rows, so it is printed between them: a group label next to it does not
    head its column, even where the columns are as wide as to make either reading centred."""
    header = [[HeaderCell("部门", 1, 2), HeaderCell("办件管理", 2, 1), HeaderCell("服务评价", 3, 1)],
              [HeaderCell(t) for t in ("网厅办件(1分)", "电子证照(1分)", "并联审批(1分)", "星级达标(1分)", "行为规范(1分)")]]
    _lineless_round_trip(tmp_path, header, [["市人社局"] + ["0"] * 5, ["市自然资源和规划局"] + ["0"] * 5])


def test_lineless_group_over_a_wrapped_label(tmp_path):
    """A leaf label wrapped onto two lines sits higher than its one-line neighbours; it is still a
    child of the group centred over it (cells centre their text)."""
    header = [[HeaderCell("部门", 1, 2), HeaderCell("办件管理"), HeaderCell("服务评价", 3, 1), HeaderCell("窗口建设", 2, 1),
               HeaderCell("合计", 1, 2)],
              [HeaderCell(t) for t in ("网厅办件", "材料电子化", "并联审批", "星级达标", "行为规范", "党建工作")]]
    _lineless_round_trip(tmp_path, header, [["市人社局"] + ["0"] * 7, ["市公安局(含出入境支队)"] + ["0"] * 7])


def test_lineless_continued_page_whose_labels_are_all_same_as_above(tmp_path):
    """On the last page the label column holds no text, only its header: that header label, far
    left of the numbers, still heads a column."""
    header = [[HeaderCell(t) for t in ("部门", "网厅办件", "电子证照", "并联审批", "合计")]]
    rows = [["市人社局"] + ["0"] * 4] + [[""] + ["0"] * 4] * 28 + [["市自然资源和规划局1分中心"] + ["0"] * 4, [""] + ["0"] * 4]
    _lineless_round_trip(tmp_path, header, rows)


def test_lineless_leaf_labels_ending_in_a_bracket_side_by_side(tmp_path):
    """"网厅办件(1分)" and "电子证照(1分)" printed close together are two labels: the space before
    the second is not the small one a word processor sets between Chinese and Latin text."""
    header = [[HeaderCell("部门", 1, 2), HeaderCell("办件管理"), HeaderCell("服务评价")],
              [HeaderCell("网厅办件(1分)"), HeaderCell("电子证照(1分)")]]
    _lineless_round_trip(tmp_path, header, [["市人社局", "0", "0"], ["", "0", "0"]])


def test_lineless_three_levels_with_a_wide_leaf(tmp_path):
    """A top label is centred over the labels right under it, though a wider leaf further down
    sticks out at one end."""
    header = [[HeaderCell("部门", 1, 3), HeaderCell("考核项目", 3, 1)],
              [HeaderCell("办件管理"), HeaderCell("服务评价"), HeaderCell("窗口建设")],
              [HeaderCell("网厅办件(1分)"), HeaderCell("电子证照(1分)"), HeaderCell("材料电子化(10分)")]]
    _lineless_round_trip(tmp_path, header, [["市人社局", "0", "0", "0"], ["市公安局(含出入境支队)", "0", "0", "0"]])


def test_lineless_table_with_a_single_number(tmp_path):
    """A one-row table holding one digit is still looked for (three stacked header levels above it)."""
    header = [[HeaderCell("部门", 1, 3), HeaderCell("考核项目")], [HeaderCell("办件管理")], [HeaderCell("网厅办件")]]
    _lineless_round_trip(tmp_path, header, [["市人社局", "0"]])


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_lineless_examples_read_like_the_text(tmp_path, name):
    """Every example with its tables' rules removed: same tables, figures and findings as the text."""
    spec = EXAMPLES[name]
    spec = BulletinSpec(**{**vars(spec), "tables": [TableSpec(**{**vars(t), "ruling": "none"}) for t in spec.tables]})
    pdf_doc = read_document(render_pdf(spec, tmp_path / f"{name}.pdf"))
    txt = tmp_path / f"{name}.txt"
    txt.write_text(spec_to_text(spec), encoding="utf-8")
    txt_doc = read_document(txt)
    assert pdf_doc.status == "ok", pdf_doc.error
    assert [(t.annex, t.n_rows, t.n_cols) for t in pdf_doc.tables] == [(t.annex, t.n_rows, t.n_cols) for t in txt_doc.tables]
    for a, b in zip(pdf_doc.tables, txt_doc.tables):
        assert a.method == "pdfplumber-text"
        assert [c.header_path for c in a.columns] == [c.header_path for c in b.columns]
        assert [[(c.text, c.row_label) for c in r] for r in a.rows] == [[(c.text, c.row_label) for c in r] for r in b.rows]
    assert sorted((f.value, f.unit) for f in pdf_doc.figures) == sorted((f.value, f.unit) for f in txt_doc.figures)


def test_camelot_is_not_asked_about_well_read_examples(pdfs):
    """pdfplumber reads every example table well, so camelot never runs and pdfplumber is kept."""
    for name, path in pdfs.items():
        pdf = open_pdf(path.read_bytes())
        for page in read_pages(pdf):
            for item in page.items:
                if isinstance(item, PageTable):
                    assert not needs_second_opinion(item.parts), (name, page.number, score(item.parts))


def _candidate(method: str, rows: list[list[str]]) -> TableParts:
    return TableParts(header=[["部门", "办件", "评价", "合计"]], body=[[RawCell(t) for t in r] for r in rows],
                      method=method, method_reason=f"read by {method}")


def test_scoring_keeps_the_better_candidate():
    """Rows that fit the header and add up to 合计 beat rows shifted by wrapped text, whichever came first."""
    good = [["市人社局", "10", "5", "15"], ["市医保局", "7", "3", "10"], ["市税务局", "1", "1", "2"]]
    bad = [["市人社局", "", "", ""], ["市医保局", "10", "5", "15", "7"], ["", "3", "10", "1"], ["市税务局", "1", "2", ""]]
    assert score(_candidate("a", good)).total == 1.0
    assert needs_second_opinion(_candidate("pdfplumber", bad))
    for first, second in ((_candidate("pdfplumber", bad), _candidate("camelot-lattice", good)),
                          (_candidate("pdfplumber", good), _candidate("camelot-lattice", bad))):
        kept = choose(first, second)
        assert [c.text for c in kept.body[0]] == good[0]
        assert "kept over" in kept.method_reason and "score 1.00" in kept.method_reason
    assert choose(_candidate("pdfplumber", good), None).method == "pdfplumber"


def test_camelot_reads_a_ruled_page(pdfs):
    """The camelot adapter returns the example's score table with the same cells as pdfplumber."""
    data = pdfs["score"].read_bytes()
    page = next(p for p in read_pages(open_pdf(data)) if any(isinstance(i, PageTable) for i in p.items))
    ours = next(i for i in page.items if isinstance(i, PageTable))
    with CamelotReader(data) as reader:
        theirs = reader.parts_for(page.number, page.height, ours.bbox)
    assert theirs is not None and theirs.method == "camelot-lattice"
    assert [[c.text for c in r] for r in theirs.body][:3] == [[c.text for c in r] for r in ours.parts.body][:3]
    assert score(theirs).total > 0.9


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    return write_hostile_pdfs(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("name, reason", [
    ("truncated", "corrupt PDF"),
    ("encrypted", "encrypted PDF: a password is required"),
    ("zero_pages", "PDF has no pages"),
    ("image_only", "no text layer (scanned PDF)"),
    ("not_pdf", "html"),  # sniffed as HTML: an error page, not a bulletin
])
def test_hostile_pdfs_fail_with_reason(hostile, name, reason, monkeypatch):
    monkeypatch.setenv("TONGBAO_OCR", "0")  # a scan is OCR'd where Tesseract is installed (tests/test_ocr.py)
    doc = read_document(hostile[name])
    assert doc.status == "failed"
    assert reason in doc.error


@pytest.mark.parametrize("name", ["good", "encrypted_empty_user", "broken_xref"])
def test_hostile_pdfs_that_read(hostile, name):
    doc = read_document(hostile[name])
    assert doc.status == "ok", doc.error
    assert len(doc.tables) == 2 and doc.doc_number == "江政务督〔2023〕7号"


@pytest.mark.parametrize("payload", [b"", b"%PDF-1.4\n", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n" * 3, b"<html>nope</html>"])
def test_read_pdf_raises_only_extraction_errors(payload):
    with pytest.raises(ExtractionError, match="corrupt PDF|no pages"):
        read_pdf(payload, Document(doc_id="x", source_path="x.pdf", format="pdf"))


def test_truncated_bytes_of_every_length_fail_cleanly(hostile):
    data = hostile["good"].read_bytes()
    for cut in (10, len(data) // 5, len(data) // 2, len(data) - 200):
        with pytest.raises(ExtractionError):
            read_pdf(data[:cut], Document(doc_id="x", source_path="x.pdf", format="pdf"))


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(table=score_tables(max_rows=40), ruling=st.sampled_from(["outer", "three-line", "horizontal"]),
       below=st.booleans())
def test_partly_ruled_tables_round_trip(tmp_path, table, ruling, below):
    """Tables as word processors rule them when not fully: a box with a rule under the header, three
    lines (top, under the header, bottom), or a rule under every row; the caption above or below."""
    table.ruling, table.caption_below = ruling, below
    doc = read_document(render_pdf(_bulletin(table), tmp_path / "gen.pdf"))
    assert doc.status == "ok", doc.error
    assert len(doc.tables) == 1, [t.title for t in doc.tables]
    assert_table_matches(table, doc.tables[0], 0, geometry=True)
