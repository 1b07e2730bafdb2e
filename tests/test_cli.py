"""The command line end to end: real Parquet, CSV and DuckDB files, datapackage.json, report.html, exit codes."""
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from tongbao.cli import app
from tongbao.export.schemas import TABLES, load_schema

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
runner = CliRunner()


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["extract", str(CORPUS), "--out", str(out), "-f", "parquet", "-f", "csv", "-f", "duckdb",
                                 "--scheduler", "serial"])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_every_table_in_every_format(extracted):
    out, output = extracted
    con = duckdb.connect(str(out / "tongbao.duckdb"), read_only=True)
    for name in TABLES:
        parquet = pd.read_parquet(out / f"{name}.parquet")
        csv = pd.read_csv(out / f"{name}.csv")
        assert list(parquet.columns)[: len(load_schema(name)["fields"])] == [f["name"] for f in load_schema(name)["fields"]]
        assert len(parquet) == len(csv) == con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
    n_files = len([p for p in CORPUS.iterdir() if p.suffix in (".txt", ".pdf")])
    assert f"{n_files} documents" in output and "error" in output
    docs = con.execute("SELECT city, period_label FROM documents WHERE format = 'txt' ORDER BY source_path").fetchall()
    assert docs == [("三明市", "2022-08"), ("厦门市", "2022-Q2"), ("临沂市", "2020-11")]
    total = con.execute("""SELECT value FROM observations o JOIN tables t ON o.source_ref LIKE t.table_id || ':%'
                           JOIN documents d ON d.doc_id = o.doc_id
                           WHERE d.format = 'txt' AND t.annex = '附件3' AND o.entity_name = '合计' AND o.indicator = '合计'""").fetchall()
    assert total == [(100884.0,)]
    hidden = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert hidden == [".tongbao"]  # the finished documents, for a rerun; no temporary file anywhere
    assert not [p for p in out.rglob(".*") if p.name not in (".tongbao",)]


def test_datapackage_describes_the_files(extracted):
    out, _ = extracted
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["path"] for r in package["resources"]}
    assert {"documents.parquet", "cells.csv", "tongbao.duckdb"} <= paths
    for res in package["resources"]:
        assert (out / res["path"]).exists()
        if "schema" in res:
            assert res["schema"]["fields"]


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text = []

    def handle_data(self, data):
        self.text.append(data)


def test_report_lists_the_findings(extracted):
    out, _ = extracted
    html = (out / "report.html").read_text(encoding="utf-8")
    parser = _Cells()
    parser.feed(html)
    text = "".join(parser.text)
    findings = pd.read_parquet(out / "findings.parquet")
    for message in findings.loc[findings.severity == "error", "message"]:
        assert message in text
    assert "http://" not in html and "https://" not in html  # self-contained


def test_audit_exit_codes(tmp_path):
    clean = runner.invoke(app, ["audit", str(CORPUS / "000_83eaf865cf8a629d.txt"), "--scheduler", "serial"])
    assert clean.exit_code == 0, clean.output
    strict = runner.invoke(app, ["audit", str(CORPUS / "000_83eaf865cf8a629d.txt"), "--fail-on", "warning", "--scheduler", "serial"])
    assert strict.exit_code == 1
    errors = runner.invoke(app, ["audit", str(CORPUS / "004_4b200b6a30fe016d.txt"), "--scheduler", "serial",
                                 "--report", str(tmp_path / "r.html")])
    assert errors.exit_code == 1 and "column_sum" in errors.output
    assert (tmp_path / "r.html").exists()
    (tmp_path / "empty.txt").write_bytes(b"")
    unreadable = runner.invoke(app, ["audit", str(tmp_path / "empty.txt"), "--scheduler", "serial"])
    assert unreadable.exit_code == 4 and "empty file" in unreadable.output


def test_unknown_format_is_refused(tmp_path):
    result = runner.invoke(app, ["extract", str(CORPUS), "--out", str(tmp_path), "-f", "xls"])
    assert result.exit_code != 0 and "unknown format" in result.output


def test_every_command_is_documented_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert commands
    for name in commands:
        assert re.search(rf"tongbao {name}\b", readme), name


def test_match_names_file_writes_crosswalk_and_review_queue(tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("raw,city\n市人社局,厦门市\n厦门市人力资源和社会保障局,厦门市\n人社局,三明市\n厦门万科企业有限公司,厦门市\n",
                     encoding="utf-8")
    out = tmp_path / "crosswalk.csv"
    result = runner.invoke(app, ["match", "--names", str(names), "--out", str(out)])
    assert result.exit_code == 0, result.output
    crosswalk = pd.read_csv(out)
    ids = dict(zip(crosswalk.entity_raw, crosswalk.entity_id))
    assert ids["市人社局"] == ids["厦门市人力资源和社会保障局"] == ids["人社局"]
    company = crosswalk.set_index("entity_raw").loc["厦门万科企业有限公司"]
    assert company.method == "new" and bool(company.needs_review)
    review = pd.read_csv(tmp_path / "crosswalk_review.csv", encoding="utf-8-sig")
    assert "厦门万科企业有限公司" in set(review.raw)


def test_match_bulletins_and_reviewed_aliases_flow_back(tmp_path):
    out = tmp_path / "cw.csv"
    result = runner.invoke(app, ["match", str(CORPUS / "004_4b200b6a30fe016d.txt"), "--out", str(out), "--scheduler", "serial"])
    assert result.exit_code == 0, result.output
    review = pd.read_csv(tmp_path / "cw_review.csv", encoding="utf-8-sig")
    assert len(review)
    first = review.iloc[0]
    aliases = tmp_path / "aliases.csv"
    aliases.write_text(f"raw,entity_id,canonical_name\n{first.raw},bank,银行\n", encoding="utf-8")
    again = runner.invoke(app, ["match", str(CORPUS / "004_4b200b6a30fe016d.txt"), "--out", str(out), "--aliases", str(aliases),
                                "--scheduler", "serial"])
    assert again.exit_code == 0
    row = pd.read_csv(out).set_index("entity_raw").loc[first.raw]
    assert row.entity_id == "bank" and not bool(row.needs_review)


def _squashed(output: str) -> str:
    """A usage error's text without the box rich draws around it and the wraps inside the box."""
    return re.sub(r"[\s│╭╮╰╯─]+", "", output)


@pytest.mark.parametrize("args, option", [
    (["--workers", "0"], "--workers"), (["--workers", "-3"], "--workers"), (["--scheduler", "threads"], "--scheduler"),
])
def test_bad_batch_options_are_usage_errors_before_any_work(tmp_path, args, option):
    result = runner.invoke(app, ["extract", str(CORPUS / "004_4b200b6a30fe016d.txt"), "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2 and option in _squashed(result.output), result.output
    assert not (tmp_path / "o").exists()  # nothing was extracted


def test_out_that_is_a_file_and_a_missing_aliases_file_fail_at_once(tmp_path):
    afile = tmp_path / "out.txt"
    afile.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(CORPUS / "004_4b200b6a30fe016d.txt"), "--out", str(afile)])
    assert result.exit_code == 2 and "isafile" in _squashed(result.output)
    result = runner.invoke(app, ["extract", str(CORPUS / "004_4b200b6a30fe016d.txt"), "--out", str(tmp_path / "o"),
                                 "--aliases", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2 and "--aliases" in _squashed(result.output) and not (tmp_path / "o").exists()


def test_extract_exit_code_tells_some_and_all_failed(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    some = runner.invoke(app, ["extract", str(CORPUS / "004_4b200b6a30fe016d.txt"), str(tmp_path / "empty.txt"),
                               "--out", str(tmp_path / "a"), "--scheduler", "serial"])
    assert some.exit_code == 3 and "empty.txt" in some.output
    assert (tmp_path / "a" / "documents.parquet").exists()  # the good file's rows are written
    every = runner.invoke(app, ["extract", str(tmp_path / "empty.txt"), "--out", str(tmp_path / "b"), "--scheduler", "serial"])
    assert every.exit_code == 4


def test_folders_are_searched_by_content_not_by_extension(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bulletin").write_bytes((CORPUS / "004_4b200b6a30fe016d.pdf").read_bytes())  # a PDF saved without extension
    (folder / "notes.json").write_text('{"a": 1}', encoding="utf-8")
    (folder / ".hidden.txt").write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(folder), "--out", str(tmp_path / "o"), "--scheduler", "serial"])
    assert result.exit_code == 0, result.output
    docs = pd.read_parquet(tmp_path / "o" / "documents.parquet")
    assert list(docs["format"]) == ["pdf"] and docs["source_path"].str.endswith("bulletin").all()


def test_audit_json_is_machine_readable(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["audit", str(CORPUS / "004_4b200b6a30fe016d.txt"), str(tmp_path / "empty.txt"),
                                 "--json", "--scheduler", "serial"])
    data = json.loads(result.stdout)
    assert result.exit_code == data["exit_code"] == 3
    assert [f["file"] for f in data["failed"]] == [str(tmp_path / "empty.txt")] and "empty" in data["failed"][0]["error"]
    sums = [f for f in data["findings"] if f["check"] == "column_sum" and f["severity"] == "error"]
    assert {f["reported"] for f in sums} == {38927.0, 100884.0} and all(f["locations"] for f in sums)


def test_csv_opens_in_excel_without_running_formulas(tmp_path):
    """UTF-8 with a BOM, and a cell starting with = + - @ prefixed with ' in CSV only; plain signed
    numbers stay numbers, and Parquet keeps the text as printed."""
    src = tmp_path / "b.txt"
    src.write_text("某某市政务服务中心\n\n关于窗口考核的通报\n\n考核情况如下。\n\n"
                   "部门\t加分\t扣分\n=HYPERLINK(\"http://x\")局\t1\t-0.5\n@市人社局\t2\t-1\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(src), "--out", str(tmp_path / "o"), "-f", "csv", "-f", "parquet",
                                 "--scheduler", "serial"])
    assert result.exit_code == 0, result.output
    raw = (tmp_path / "o" / "cells.csv").read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8"))
    csv_text = set(pd.read_csv(tmp_path / "o" / "cells.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)["text"])
    assert {"'=HYPERLINK(\"http://x\")局", "'@市人社局", "-0.5", "-1"} <= csv_text
    parquet_text = set(pd.read_parquet(tmp_path / "o" / "cells.parquet")["text"])
    assert {"=HYPERLINK(\"http://x\")局", "@市人社局", "-0.5"} <= parquet_text
