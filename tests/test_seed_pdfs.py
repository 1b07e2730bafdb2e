"""The seeds rendered as PDFs (corpus/<name>.pdf, `python -m tongbao.render --seeds corpus/`) give the
same hand-checked facts as their text (tests/data/seed_facts.yaml), read by the PDF reader."""
from __future__ import annotations

from pathlib import Path

import pytest

from tongbao.render.seeds import header_cells, render_seeds, seed_to_spec
from tongbao.render.spec import HeaderCell as H, TableSpec

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SEEDS = ["000_83eaf865cf8a629d.txt", "001_019204d22be93a6a.txt", "004_4b200b6a30fe016d.txt"]
REBUILD = "python -m tongbao.render --seeds corpus/"


def test_corpus_pdfs_are_rebuilt_from_the_seeds(tmp_path):
    """The committed PDFs are exactly what the one command writes (rendering is deterministic)."""
    for pdf in render_seeds(CORPUS, tmp_path):
        committed = CORPUS / pdf.name
        assert committed.exists(), f"{committed} missing: run `{REBUILD}`"
        assert committed.read_bytes() == pdf.read_bytes(), f"{committed} is stale: run `{REBUILD}`"
        assert pdf.stat().st_size < 100_000  # no embedded fonts


@pytest.mark.parametrize("name", SEEDS)
def test_pdf_reads_like_the_text(name, seed_docs_by_format):
    """Same tables (shape, header paths, cell texts), figures and findings as the text reader.
    (The seeds' facts themselves are tested on both formats in test_seeds.py.)"""
    pdf, txt = seed_docs_by_format["pdf"][name], seed_docs_by_format["txt"][name]
    assert pdf.status == txt.status
    assert [(t.annex, t.n_rows, t.n_cols) for t in pdf.tables] == [(t.annex, t.n_rows, t.n_cols) for t in txt.tables]
    for a, b in zip(pdf.tables, txt.tables):
        assert [c.header_path for c in a.columns] == [c.header_path for c in b.columns]
        assert [[c.value for c in r] for r in a.rows] == [[c.value for c in r] for r in b.rows]
        assert all(c.page is not None and c.x0 is not None for c in a.cells())
    assert sorted((f.value, f.unit) for f in pdf.figures) == sorted((f.value, f.unit) for f in txt.figures)
    assert sorted((f.check, f.severity, f.message) for f in pdf.findings) == \
        sorted((f.check, f.severity, f.message) for f in txt.findings)


# ---------------------------------------------------------------- the seed → spec conversion itself


def test_header_cells_turn_blank_continuations_into_spans():
    grid = [["县", "总数", "整体评价", "", "", ""], ["", "", "满意", "", "不满意", ""], ["", "", "数", "%", "数", "%"]]
    cells = header_cells(grid, 7)
    assert cells[0] == [H("县", rowspan=3), H("总数", rowspan=3), H("整体评价", colspan=4), H("", rowspan=3)]
    assert cells[1] == [H("满意", colspan=2), H("不满意", colspan=2)]
    assert [c.text for c in cells[2]] == ["数", "%", "数", "%"]
    table = TableSpec(title="t", annex=None, header=cells, rows=[["a"] * 7])
    assert table.leaf_paths()[:4] == [("县",), ("总数",), ("整体评价", "满意", "数"), ("整体评价", "满意", "%")]
    assert table.n_cols == 7


def test_seed_to_spec_keeps_order_context_and_wide_rows():
    text = "\n".join([
        "某市政务服务中心文件", "", "关于窗口考核的通报", "", "一、本月办件 30 件。", "", "附件 1", "", "考核统计表", "",
        "单位：件", "", "部门\t办件\t合计", "甲局\t10\t10", "乙局\t20\t20\t5", "", "说明：每月统计一次。", "", "附件 2", "",
        "续表", "", "部门\t办件\t合计", "丙局\t1\t1", "", "部门\t办件\t合计", "丁局\t2\t2", ""])
    spec = seed_to_spec(text)
    assert spec.title == "某市政务服务中心文件"
    assert spec.paragraphs == ["关于窗口考核的通报", "一、本月办件 30 件。"]
    first, second = spec.tables
    assert (first.annex, first.title, first.unit, first.note) == ("附件1", "考核统计表", "单位：件", "说明：每月统计一次。")
    assert first.n_cols == 4 and first.rows[0] == ["甲局", "10", "10", ""] and first.rows[1] == ["乙局", "20", "20", "5"]
    assert [r[0] for r in second.rows] == ["丙局", "丁局"]  # the continued block joined
