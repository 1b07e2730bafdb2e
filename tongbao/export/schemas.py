"""The published table schemas (Frictionless Table Schema JSON shipped in the package) and their validation."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import pandas as pd

TABLES = ("documents", "tables", "cells", "figures", "awards", "mentions", "entities", "observations", "findings", "checks")
_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean", "date": "string"}
# resolved once: pandas 3's own `str` dtype compares equal to the name "string" but not to this
_RESOLVED = {kind: pd.api.types.pandas_dtype(name) for kind, name in _DTYPES.items()}


class SchemaError(ValueError):
    """A table does not match its published schema; nothing is written."""


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    return json.loads(resources.files("tongbao").joinpath(f"schemas/{name}.json").read_text(encoding="utf-8"))


def empty_frame(name: str) -> pd.DataFrame:
    """A table without rows, in its published columns and types (a copy: callers may add to it)."""
    return _empty_frame(name).copy()


@lru_cache(maxsize=None)
def _empty_frame(name: str) -> pd.DataFrame:
    schema = load_schema(name)
    return conform(pd.DataFrame({f["name"]: [] for f in schema["fields"]}), name)


def conform(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Order and type the columns as the schema says; extra columns are kept after them. Missing
    columns are added and mistyped ones converted in one call each (pandas' per-column access is
    what a document's tables spent most of their time on)."""
    fields = load_schema(name)["fields"]
    names = [f["name"] for f in fields]
    missing = {n: None for n in names if n not in df.columns}
    if missing:
        df = df.assign(**missing)
    dtypes = df.dtypes
    changes = {f["name"]: _RESOLVED[f["type"]] for f in fields if dtypes[f["name"]] != _RESOLVED[f["type"]]}
    if changes:
        df = df.astype(changes)
    return df[names + [c for c in df.columns if c not in names]]


ISO_DATE = r"\d{4}-\d{2}-\d{2}"


def validate(df: pd.DataFrame, name: str) -> None:
    """Raise SchemaError when a required column is missing or null, or a value is outside its enum."""
    schema = load_schema(name)
    problems = []
    for f in schema["fields"]:
        col = f["name"]
        if col not in df.columns:
            problems.append(f"missing column {col}")
            continue
        cons = f.get("constraints", {})
        if cons.get("required") and df[col].isna().any():
            problems.append(f"{col}: {int(df[col].isna().sum())} empty value(s) in a required column")
        if "enum" in cons:
            bad = set(df[col].dropna().unique()) - set(cons["enum"])
            if bad:
                problems.append(f"{col}: values {sorted(bad)[:5]} not in {cons['enum']}")
        if f["type"] == "date":
            bad = df[col].dropna()
            bad = bad[~bad.str.fullmatch(ISO_DATE)]
            if len(bad):
                problems.append(f"{col}: {len(bad)} value(s) not an ISO date")
    keys = schema.get("primaryKey") or []
    if keys and len(df) and df.duplicated(subset=keys).any():
        problems.append(f"duplicate primary key {keys}")
    if problems:
        raise SchemaError(f"table {name} does not match its schema: " + "; ".join(problems))


_ARROW = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool_", "date": "date32"}


@lru_cache(maxsize=None)
def arrow_schema(name: str):
    """The table's Arrow schema: its declared fields typed as the schema says (dates as DATE,
    integers as int64), then nothing else — extra columns keep their own types."""
    import pyarrow as pa

    return pa.schema([pa.field(f["name"], getattr(pa, _ARROW[f["type"]])()) for f in load_schema(name)["fields"]])


def to_arrow(df: pd.DataFrame, name: str):
    """A conformed frame as an Arrow table with the published types (ISO date strings become DATE)."""
    import pyarrow as pa

    declared = arrow_schema(name)
    arrays, fields = [], []
    for col in df.columns:
        series = df[col]
        if col in declared.names:
            field = declared.field(col)
            if pa.types.is_date32(field.type):
                array = pa.array(pd.to_datetime(series, format="%Y-%m-%d").dt.date, type=field.type)
            else:
                array = pa.array(series, type=field.type, from_pandas=True)
        else:
            array = pa.array(series, from_pandas=True)
            field = pa.field(col, array.type)
        arrays.append(array)
        fields.append(field)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def rows_to_arrow(rows: list[dict], name: str):
    """A table's rows (export/rows.py) as an Arrow table with the published types, checked against
    its schema as `validate` checks a frame: the same table `to_arrow(conform(frame))` gives, built
    column by column without pandas (a batch's workers spent most of a document's time in pandas)."""
    import pyarrow as pa

    schema = load_schema(name)
    arrays = []
    for f, field in zip(schema["fields"], arrow_schema(name)):
        values = [r.get(f["name"]) for r in rows]
        arrays.append(_date_array(values, f["name"], name) if f["type"] == "date" else _array(values, field.type, f["type"]))
    table = pa.Table.from_arrays(arrays, schema=arrow_schema(name))
    validate_table(table, name)
    return table


def _array(values: list, arrow_type, kind: str):
    """Python values as one typed Arrow array; NaN is null, as in pandas. A value Arrow will not take
    as it is (a number in a string column) is converted the way `conform` converts it."""
    import pyarrow as pa

    try:
        return pa.array(values, type=arrow_type, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(pd.Series(values, dtype=object).astype(_RESOLVED[kind]), type=arrow_type, from_pandas=True)


def _date_array(values: list, column: str, name: str):
    import re

    import pyarrow as pa

    values = [v if v is None or isinstance(v, str) else str(v) for v in values]
    bad = [v for v in values if v is not None and not re.fullmatch(ISO_DATE, v)]
    if bad:
        raise SchemaError(f"table {name} does not match its schema: {column}: {len(bad)} value(s) not an ISO date")
    return pa.compute.cast(pa.array(values, type=pa.string()), pa.date32())


def validate_table(table, name: str) -> None:
    """Raise SchemaError when a required column of an Arrow table is null or a value is outside its
    enum, or its primary key repeats (the checks of `validate`, for the tables a part stores)."""
    import pyarrow.compute as pc

    schema = load_schema(name)
    problems = []
    for f in schema["fields"]:
        column, cons = table.column(f["name"]), f.get("constraints", {})
        if cons.get("required") and column.null_count:
            problems.append(f"{f['name']}: {column.null_count} empty value(s) in a required column")
        if "enum" in cons:
            bad = set(pc.unique(column.drop_null()).to_pylist()) - set(cons["enum"])
            if bad:
                problems.append(f"{f['name']}: values {sorted(bad)[:5]} not in {cons['enum']}")
    keys = schema.get("primaryKey") or []
    if keys and table.num_rows and table.group_by(keys).aggregate([]).num_rows < table.num_rows:
        problems.append(f"duplicate primary key {keys}")
    if problems:
        raise SchemaError(f"table {name} does not match its schema: " + "; ".join(problems))
