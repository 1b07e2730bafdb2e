"""The panel: one row per (region, entity type, indicator, period), the researcher's cross-city table.

Every observation of the same key (a table cell and the narrative restating it, or two bulletins of
the same period) is folded into one row with its provenance; when they disagree, `value` is empty,
`conflict` is true and `values` lists what each source said: the panel never picks silently.
Observations that cannot be keyed honestly stay out: no indicator id, no region or period, a cell
read `unsure`, or a department name sent to review (a hall, an ambiguous name).

The same SQL makes the Parquet table (run by DuckDB over the staged Parquet files, so memory does
not grow with the batch) and the `panel` view in tongbao.duckdb (over its tables).
"""
from __future__ import annotations

from pathlib import Path

WHOLE_PLACE = "all"  # entity type of a figure about the issuing place as a whole (全市共受理…)

PANEL_SQL = """
WITH keyed AS (
    SELECT o.*, coalesce(o.entity_id, '{whole}') AS entity_type
    FROM {observations} AS o
    LEFT JOIN {entities} AS e ON e.entity_raw = o.entity_name AND e.city IS NOT DISTINCT FROM o.city
    WHERE o.indicator_id IS NOT NULL AND o.region IS NOT NULL AND o.period_label IS NOT NULL
      AND NOT coalesce(o.unsure, false) AND NOT coalesce(e.needs_review, false)
)
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
FROM keyed
GROUP BY region, entity_type, indicator_id, period_label
ORDER BY region, entity_type, indicator_id, period_label
"""


def panel_sql(observations: str, entities: str) -> str:
    return PANEL_SQL.format(observations=observations, entities=entities, whole=WHOLE_PLACE)


def _parquet(path: Path) -> str:
    return "read_parquet('" + str(path).replace("'", "''") + "')"


def write_panel(staging: Path, formats: tuple[str, ...]) -> list[str]:
    """panel.parquet (and panel.csv when CSV is asked for) from the staged observations and entities;
    the file names written into `staging`."""
    import duckdb

    from .writers import CSV_ENCODING, csv_frame

    if not ((staging / "observations.parquet").is_file() and (staging / "entities.parquet").is_file()):
        return []  # a partial dataset: no panel to make
    sql = panel_sql(_parquet(staging / "observations.parquet"), _parquet(staging / "entities.parquet"))
    con = duckdb.connect()
    try:
        con.execute(f"COPY ({sql}) TO '{staging / 'panel.parquet'}' (FORMAT parquet)")
        names = ["panel.parquet"]
        if "csv" in formats:
            import pyarrow.parquet as pq

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
