"""Bad input becomes a `documents` row with a clear reason, and the rest of the batch completes."""
from pathlib import Path

from tongbao.pipeline import run_batch

SEED = Path(__file__).resolve().parent.parent / "corpus" / "004_4b200b6a30fe016d.txt"


def _by_name(batch):
    return {Path(d.source_path).name: d for d in batch.documents}


def test_empty_binary_and_tableless_files_do_not_stop_the_batch(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "prose.txt").write_text("这是一段没有表格也没有数字的文字。\n", encoding="utf-8")
    (tmp_path / "good.txt").write_bytes(SEED.read_bytes())
    batch = run_batch([tmp_path], scheduler="serial")
    docs = _by_name(batch)
    assert docs["empty.txt"].status == "failed" and "empty" in docs["empty.txt"].error
    assert docs["binary.txt"].status == "failed" and "binary" in docs["binary.txt"].error
    assert docs["prose.txt"].status == "ok" and "no table or figure" in docs["prose.txt"].error
    assert docs["good.txt"].status == "ok" and len(docs["good.txt"].tables) == 4
    frame = batch.frames["documents"].set_index("source_path")
    assert frame.loc[str(tmp_path / "empty.txt"), "status"] == "failed"
    assert len(frame) == 4


def test_gb18030_text_reads_like_utf8(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    (tmp_path / "gbk.txt").write_bytes(text.encode("gb18030"))
    (tmp_path / "utf8.txt").write_bytes(text.encode("utf-8"))
    docs = _by_name(run_batch([tmp_path], scheduler="serial"))
    gbk, utf8 = docs["gbk.txt"], docs["utf8.txt"]
    assert gbk.status == utf8.status == "ok"
    assert gbk.issuer == utf8.issuer == "临沂市河东区政务服务管理办公室"
    assert [t.n_rows for t in gbk.tables] == [t.n_rows for t in utf8.tables]


def test_missing_file_is_a_failed_row(tmp_path):
    batch = run_batch([tmp_path / "nope.txt"], scheduler="serial")
    assert batch.documents[0].status == "failed"
    assert "cannot read" in batch.documents[0].error


def test_duplicate_files_are_one_document(tmp_path):
    (tmp_path / "a.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "b.txt").write_bytes(SEED.read_bytes())
    batch = run_batch([tmp_path], scheduler="serial")
    assert len(batch.documents) == 1 and batch.duplicates == {tmp_path / "b.txt": tmp_path / "a.txt"}
    assert batch.frames["documents"].doc_id.is_unique


def test_a_huge_file_is_refused_without_reading_it(tmp_path):
    from tongbao.extract import read_document
    from tongbao.limits import FILE_BYTES as MAX_FILE_BYTES

    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as fh:  # sparse: nothing is really written
        fh.truncate(MAX_FILE_BYTES + 1)
    doc = read_document(huge)
    assert doc.status == "failed" and "too large" in doc.error


def test_outputs_are_all_or_nothing(tmp_path):
    """A table that breaks its schema stops the write before any file is in place."""
    import pytest

    from tongbao.export.schemas import SchemaError
    from tongbao.export.writers import write_tables

    frames = run_batch([SEED], scheduler="serial").frames
    frames["documents"].loc[0, "status"] = "half-done"  # not in the schema's enum
    out = tmp_path / "out"
    with pytest.raises(SchemaError, match="status"):
        write_tables(frames, out, ("parquet", "csv", "duckdb"))
    assert not out.exists() or not any(out.iterdir())
