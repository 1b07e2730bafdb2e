"""Write the published tables as Parquet, CSV or one DuckDB file, plus datapackage.json; atomically.

Every file is written under a temporary name in the output folder and renamed into place, so an
interrupted run never leaves a half-written table.
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

FORMATS = ("parquet", "csv", "duckdb")
DUCKDB_FILE = "tongbao.duckdb"


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


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    df.to_parquet(path, index=False)


CSV_ENCODING = "utf-8-sig"  # with a BOM: Excel then reads the Chinese as UTF-8, not as the machine's code page
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs a cell starting so as a formula
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?%?$")


def defuse_formula(value):
    """A text cell a spreadsheet would run as a formula, prefixed with ' so it shows as text
    (OWASP's advice for CSV injection); numbers, and text that is a plain signed number, as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """CSV for people who open it in Excel: UTF-8 with a BOM, formulas defused (Parquet and DuckDB
    keep every text as it was)."""
    text = df.select_dtypes(include=["object", "string"]).columns
    safe = df.copy() if len(text) else df
    for col in text:
        safe[col] = safe[col].map(defuse_formula)
    safe.to_csv(path, index=False, encoding=CSV_ENCODING)


def _write_duckdb(frames: dict[str, pd.DataFrame], path: Path) -> None:
    import duckdb
    con = duckdb.connect(str(path))
    try:
        for name, df in frames.items():
            con.register("_frame", df)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _frame')
            con.unregister("_frame")
    finally:
        con.close()


def write_tables(frames: dict[str, pd.DataFrame], out: Path, formats: tuple[str, ...] = ("parquet",)) -> list[Path]:
    """Validate every table against its schema, then write it in each format; returns the files written."""
    out = Path(out)
    for name, df in frames.items():
        validate(df, name)
    written = []
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
        if fmt == "duckdb":
            target = out / DUCKDB_FILE
            with atomic_path(target) as tmp:
                _write_duckdb(frames, tmp)
            written.append(target)
            continue
        for name, df in frames.items():
            target = out / f"{name}.{fmt}"
            with atomic_path(target) as tmp:
                (_write_parquet if fmt == "parquet" else _write_csv)(df, tmp)
            written.append(target)
    written.append(write_datapackage(frames, out, formats))
    return written


def write_datapackage(frames: dict[str, pd.DataFrame], out: Path, formats: tuple[str, ...]) -> Path:
    """A Frictionless Data Package describing the files written, with their table schemas."""
    resources = []
    for name in frames:
        schema = load_schema(name)
        table_schema = {"fields": schema["fields"], "primaryKey": schema.get("primaryKey") or []}
        for fmt in formats:
            if fmt == "duckdb":
                continue
            res = {"name": f"{name}-{fmt}" if len(formats) > 1 else name, "path": f"{name}.{fmt}", "format": fmt,
                   "description": schema.get("description", ""), "schema": table_schema, "rows": int(len(frames[name]))}
            if fmt == "csv":
                res.update(mediatype="text/csv", encoding="utf-8")
            else:
                res.update(mediatype="application/vnd.apache.parquet")
            resources.append(res)
    if "duckdb" in formats:
        resources.append({"name": "tongbao-duckdb", "path": DUCKDB_FILE, "format": "duckdb",
                          "mediatype": "application/x-duckdb", "description": "all tables in one DuckDB file: " + ", ".join(frames)})
    package = {"profile": "data-package", "name": "tongbao-dataset", "title": "tongbao: government-service bulletins",
               "resources": resources}
    return write_text_atomic(out / "datapackage.json", json.dumps(package, ensure_ascii=False, indent=2))
