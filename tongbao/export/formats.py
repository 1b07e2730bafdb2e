"""The output formats a run can write, and the DuckDB file's name (no imports: the CLI reads them first)."""

FORMATS = ("parquet", "csv", "duckdb")
DUCKDB_FILE = "tongbao.duckdb"
