"""The panel: one row per (region, entity type, indicator, period), the researcher's cross-city table.

Every observation of the same key (a table cell and the narrative restating it, or two bulletins of
the same period) is folded into one row with its provenance; when they disagree, `value` is empty,
`conflict` is true and `values` lists what each source said: the panel never picks silently.
Observations that cannot be keyed honestly stay out: no indicator id, no region or period, a cell
read `unsure`, or a department name sent to review (a hall, an ambiguous name).

The same SQL makes the Parquet table (run by DuckDB over the staged Parquet files, a run of keys at a
time, so memory does not grow with the batch) and the `panel` view in tongbao.duckdb (over its tables).
"""
from __future__ import annotations

from pathlib import Path

WHOLE_PLACE = "all"  # entity type of a figure about the issuing place as a whole (全市共受理…)

PANEL_CHUNK_ROWS = 10_000  # keyed observations folded per query: DuckDB's list aggregates cannot spill

KEYED_SQL = """
SELECT o.region, coalesce(o.entity_id, '{whole}') AS entity_type, o.indicator_id, o.period_label, o.level,
       o.indicator_name, o.indicator_kind, o.value, o.unit, o.doc_id, o.source, o.source_ref
FROM {observations} AS o
LEFT JOIN {entities} AS e ON e.entity_raw = o.entity_name AND e.city IS NOT DISTINCT FROM o.city
WHERE o.indicator_id IS NOT NULL AND o.region IS NOT NULL AND o.period_label IS NOT NULL
  AND NOT coalesce(o.unsure, false) AND NOT coalesce(e.needs_review, false)
"""

FOLD_SQL = """
SELECT region, entity_type, indicator_id, period_label,
       min(level) AS level, min(indicator_name) AS indicator_name, min(indicator_kind) AS indicator_kind,
       CASE WHEN count(DISTINCT value) = 1 THEN min(value) END AS value,
       string_agg(DISTINCT unit, '、' ORDER BY unit) AS unit,
       count(DISTINCT value) > 1 AS conflict,
       CASE WHEN count(DISTINCT value) > 1 THEN to_json(list(DISTINCT value ORDER BY value)) END AS "values",
       count(*) AS n_observations, count(DISTINCT doc_id) AS n_documents,
       string_agg(DISTINCT source, '+' ORDER BY source) AS sources,
       min(doc_id || ':' || source_ref) AS first_ref,
       to_json(list({{'doc_id': doc_id, 'source': source, 'source_ref': source_ref, 'value': value}}
                    ORDER BY doc_id, source, source_ref)) AS provenance
FROM {keyed}
GROUP BY region, entity_type, indicator_id, period_label
ORDER BY region, entity_type, indicator_id, period_label
"""


def panel_sql(observations: str, entities: str) -> str:
    """The whole panel as one query (the view in tongbao.duckdb)."""
    keyed = KEYED_SQL.format(observations=observations, entities=entities, whole=WHOLE_PLACE)
    return FOLD_SQL.format(keyed=f"({keyed}) AS keyed")


def _parquet(path: Path) -> str:
    return "read_parquet('" + str(path).replace("'", "''") + "')"


def _chunks(prefixes: list[tuple], limit: int) -> list[list[tuple]]:
    """Consecutive (region, entity type, indicator) prefixes, in panel order, cut into runs of about
    `limit` observations (a prefix is never split, so every panel row is folded whole)."""
    chunks: list[list[tuple]] = []
    size = limit
    for *key, n in prefixes:
        if size + n > limit and (not chunks or chunks[-1]):
            chunks.append([])
            size = 0
        chunks[-1].append(tuple(key))
        size += n
    return chunks


def write_panel(staging: Path, formats: tuple[str, ...]) -> list[str]:
    """panel.parquet (and panel.csv when CSV is asked for) from the staged observations and entities;
    the file names written into `staging`. Folded a run of keys at a time, in panel order, so memory
    is bounded by PANEL_CHUNK_ROWS, not by the batch."""
    import duckdb
    import pyarrow.parquet as pq

    from .writers import CSV_ENCODING, csv_frame

    if not ((staging / "observations.parquet").is_file() and (staging / "entities.parquet").is_file()):
        return []  # a partial dataset: no panel to make
    con = duckdb.connect(config={"threads": 1})
    try:
        keyed = KEYED_SQL.format(observations=_parquet(staging / "observations.parquet"),
                                 entities=_parquet(staging / "entities.parquet"), whole=WHOLE_PLACE)
        con.execute(f"CREATE TEMP VIEW keyed AS {keyed}")
        prefixes = con.execute("SELECT region, entity_type, indicator_id, count(*) FROM keyed "
                               "GROUP BY ALL ORDER BY region, entity_type, indicator_id").fetchall()
        fold = FOLD_SQL.format(keyed="keyed JOIN chunk USING (region, entity_type, indicator_id)")
        con.execute("CREATE TEMP TABLE chunk (region VARCHAR, entity_type VARCHAR, indicator_id VARCHAR)")
        writer = None
        for chunk in _chunks(prefixes, PANEL_CHUNK_ROWS) or [[]]:  # no keys: an empty panel of the right columns
            con.execute("DELETE FROM chunk")
            if chunk:
                con.executemany("INSERT INTO chunk VALUES (?, ?, ?)", chunk)
            rel = con.sql(fold)
            table = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()  # DuckDB 2 / 1
            if writer is None:
                writer = pq.ParquetWriter(staging / "panel.parquet", table.schema)
            writer.write_table(table)
        writer.close()
        names = ["panel.parquet"]
        if "csv" in formats:
            source = pq.ParquetFile(staging / "panel.parquet")
            with open(staging / "panel.csv", "w", encoding=CSV_ENCODING, newline="") as fh:
                fh.write(",".join(source.schema_arrow.names) + "\n")
                for batch in source.iter_batches():
                    csv_frame(batch.to_pandas()).to_csv(fh, index=False, header=False)
            names.append("panel.csv")
        return names
    finally:
        con.close()


def create_panel_view(con) -> None:
    """The `panel` view in a DuckDB file holding the observations and entities tables."""
    con.execute(f"CREATE VIEW panel AS {panel_sql('observations', 'entities')}")
