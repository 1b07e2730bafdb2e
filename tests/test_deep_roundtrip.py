"""Longer hypothesis runs of the PDF round trip (`make test-slow`): many more generated tables,
ruled and without any rule, than `make test` can afford. Same properties as tests/test_pdf.py."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tongbao.extract import read_document
from tongbao.render.pdf import render_pdf

from roundtrip import assert_table_matches
from strategies import score_tables
from test_pdf import _bulletin

DEEP = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def _round_trip(tmp_path_factory, table) -> None:
    doc = read_document(render_pdf(_bulletin(table), tmp_path_factory.mktemp("deep") / "gen.pdf"))
    assert doc.status == "ok", doc.error
    assert len(doc.tables) == 1, [t.title for t in doc.tables]
    assert_table_matches(table, doc.tables[0], 0, geometry=True)


@pytest.mark.slow
@DEEP
@given(table=score_tables(max_rows=60))
def test_many_ruled_tables_round_trip(tmp_path_factory, table):
    _round_trip(tmp_path_factory, table)


@pytest.mark.slow
@DEEP
@given(table=score_tables(max_rows=40))
def test_many_lineless_tables_round_trip(tmp_path_factory, table):
    table.ruling = "none"
    _round_trip(tmp_path_factory, table)
