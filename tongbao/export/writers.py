"""Write the published tables as Parquet, CSV or one DuckDB file, plus datapackage.json; atomically.

Tables are written part by part (a batch's documents one after another, memory flat) into a staging
folder, then moved into place together; an interrupted run never leaves a half-written table, and
files an earlier run wrote in other formats are removed, so the folder describes one set of documents.
Parquet and DuckDB keep the published types (dates as DATE, integers as integers) and every text as
it was; CSV is for people who open it in Excel (UTF-8 with a BOM, formulas defused).
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from .schemas import load_schema, validate

from .formats import DUCKDB_FILE, FORMATS
PARQUET_MISSING = ["", "nan"]  # how a null reads when frictionless validates Parquet (through pandas)
ROW_GROUP_ROWS = 65_536  # rows gathered before a Parquet row group (and a CSV chunk) is written
ROW_GROUP_PARTS = 64  # appends gathered at most (each small document's rows are one)
DERIVED = ("panel",)  # tables made from the others when a dataset is written (export/panel.py)


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside `target`; on success move it into place, on failure remove it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(target: Path, text: str) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


CSV_ENCODING = "utf-8-sig"  # with a BOM: Excel then reads the Chinese as UTF-8, not as the machine's code page
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs a cell starting so as a formula
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?%?$")


def defuse_formula(value):
    """A text cell a spreadsheet would run as a formula, prefixed with ' so it shows as text
    (OWASP's advice for CSV injection); numbers, and text that is a plain signed number, as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value



def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A frame as its CSV shows it: formulas defused, and whole numbers in number columns written
    without a decimal point (a count is 1063749, not 1063749.0)."""
    out = df.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_float_dtype(series):
            whole = series.notna() & (series == series.round())
            if whole.any():
                out[col] = series.astype(object)
                out.loc[whole, col] = series[whole].astype("int64")
        elif pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out[col] = series.map(defuse_formula)
    return out


class DatasetWriter:
    """The published tables written part by part, so memory stays flat whatever the batch size.

    Every file goes to a staging folder first; `commit()` moves them all into OUT at once (each by
    a rename), removes what an earlier run wrote in formats not asked for this time, so OUT always
    describes one set of documents, and writes datapackage.json."""

    def __init__(self, out: Path, formats: tuple[str, ...]):
        for fmt in formats:
            if fmt not in FORMATS:
                raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
        self.out, self.formats = Path(out), formats
        self.out.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self._store()))
        self._parquet: dict = {}
        self._csv: dict = {}
        self._pending: dict[str, list] = {}  # Arrow tables not yet written, by table
        self.rows: dict[str, int] = {}

    def _store(self) -> Path:
        store = self.out / ".tongbao"
        store.mkdir(parents=True, exist_ok=True)
        return store

    def append(self, name: str, table) -> None:
        """Add rows (an Arrow table in the published types) to a table; they are written in row
        groups of up to ROW_GROUP_ROWS rows or ROW_GROUP_PARTS appends, so a batch of small documents
        makes neither a row group per document nor a footer that grows with the number of them."""
        self.rows[name] = self.rows.get(name, 0) + table.num_rows
        pending = self._pending.setdefault(name, [])
        pending.append(table)
        if len(pending) >= ROW_GROUP_PARTS or sum(t.num_rows for t in pending) >= ROW_GROUP_ROWS:
            self._flush(name)

    def _flush(self, name: str) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pending = self._pending.pop(name, [])
        if not pending:
            return
        writer = self._parquet.get(name)
        schema = writer.schema if writer is not None else pending[0].schema
        table = pa.concat_tables([t if t.schema == schema else t.cast(schema) for t in pending])
        if writer is None:
            writer = self._parquet[name] = pq.ParquetWriter(self.staging / f"{name}.parquet", schema)
        writer.write_table(table)
        if "csv" in self.formats:
            first = name not in self._csv
            fh = self._csv.get(name) or self._csv.setdefault(
                name, open(self.staging / f"{name}.csv", "w", encoding=CSV_ENCODING, newline=""))
            csv_frame(table.to_pandas()).to_csv(fh, index=False, header=first)

    def append_frame(self, name: str, df: pd.DataFrame) -> None:
        from .schemas import to_arrow

        self.append(name, to_arrow(df, name))

    def commit(self, tables: tuple[str, ...]) -> list[Path]:
        """Close every file, move them into OUT, remove stale ones; the files written."""
        for name in list(self._pending):
            self._flush(name)
        for name in tables:  # a table without rows still gets its (empty) file
            if name not in self._parquet:
                from .schemas import empty_frame

                self.append_frame(name, empty_frame(name))
                self._flush(name)
        for w in self._parquet.values():
            w.close()
        for fh in self._csv.values():
            fh.close()
        from .panel import write_panel

        derived = write_panel(self.staging, self.formats)  # panel.parquet (and .csv), from the staged tables
        self.rows.update(_rows(self.staging, derived))
        if "duckdb" in self.formats:
            _write_duckdb({name: self.staging / f"{name}.parquet" for name in tables}, self.staging / DUCKDB_FILE)
        moves = [(self.staging / DUCKDB_FILE, self.out / DUCKDB_FILE)] if "duckdb" in self.formats else []
        moves += [(self.staging / f"{name}.{fmt}", self.out / f"{name}.{fmt}")
                  for fmt in self.formats if fmt != "duckdb" for name in (*tables, *DERIVED)
                  if f"{name}.{fmt}" in derived or name in tables]
        for src, dst in moves:
            os.replace(src, dst)
        self._remove_stale((*tables, *DERIVED))
        written = [dst for _, dst in moves]
        written.append(write_datapackage(self.rows, self.out, self.formats, (*tables, *DERIVED)))
        self.discard()
        return written

    def _remove_stale(self, tables: tuple[str, ...]) -> None:
        for fmt in FORMATS:
            if fmt in self.formats:
                continue
            stale = [self.out / DUCKDB_FILE] if fmt == "duckdb" else [self.out / f"{n}.{fmt}" for n in tables]
            for path in stale:
                path.unlink(missing_ok=True)

    def discard(self) -> None:
        import shutil

        for w in self._parquet.values():
            try:
                w.close()
            except Exception:  # noqa: BLE001 - closing after a failure
                pass
        for fh in self._csv.values():
            fh.close()
        shutil.rmtree(self.staging, ignore_errors=True)


def _write_duckdb(parquet: dict[str, Path], path: Path) -> None:
    """One DuckDB file with every table, read from the staged Parquet (DuckDB streams it), and the
    panel as a view over them."""
    import duckdb

    from .panel import create_panel_view

    con = duckdb.connect(str(path))
    try:
        for name, source in parquet.items():
            con.execute(f"CREATE TABLE \"{name}\" AS SELECT * FROM read_parquet(?)", [str(source)])
        create_panel_view(con)
    finally:
        con.close()


def _rows(staging: Path, derived: list[str]) -> dict[str, int]:
    import pyarrow.parquet as pq

    return {name[:-len(".parquet")]: pq.ParquetFile(staging / name).metadata.num_rows
            for name in derived if name.endswith(".parquet")}


def write_tables(frames: dict[str, pd.DataFrame], out: Path, formats: tuple[str, ...] = ("parquet",)) -> list[Path]:
    """Validate every table against its schema, then write it in each format; returns the files written."""
    for name, df in frames.items():
        validate(df, name)
    writer = DatasetWriter(Path(out), formats)
    try:
        for name, df in frames.items():
            writer.append_frame(name, df)
        return writer.commit(tuple(frames))
    except BaseException:
        writer.discard()
        raise


def write_datapackage(rows: dict[str, int], out: Path, formats: tuple[str, ...], tables: tuple[str, ...]) -> Path:
    """A Frictionless Data Package describing the files written, with their table schemas."""
    resources = []
    for name in tables:
        schema = load_schema(name)
        table_schema = {"fields": schema["fields"], "primaryKey": schema.get("primaryKey") or []}
        for fmt in formats:
            if fmt == "duckdb":
                continue
            res = {"name": f"{name}-{fmt}" if len(formats) > 1 else name, "path": f"{name}.{fmt}", "format": fmt,
                   "description": schema.get("description", ""), "schema": table_schema, "rows": int(rows.get(name, 0))}
            if fmt == "csv":
                res.update(mediatype="text/csv", encoding="utf-8-sig")
            else:
                # frictionless reads Parquet through pandas, where an empty integer is NaN: say so
                res.update(mediatype="application/vnd.apache.parquet", schema={**table_schema, "missingValues": PARQUET_MISSING})
            resources.append(res)
    if "duckdb" in formats:
        resources.append({"name": "tongbao-duckdb", "path": DUCKDB_FILE, "format": "duckdb",
                          "mediatype": "application/x-duckdb", "description": "all tables in one DuckDB file: " + ", ".join(tables)})
    package = {"profile": "data-package", "name": "tongbao-dataset", "title": "tongbao: government-service bulletins",
               "resources": resources}
    return write_text_atomic(out / "datapackage.json", json.dumps(package, ensure_ascii=False, indent=2))
