"""The work a batch has finished, kept in OUT/.tongbao/ so a rerun or an interrupted run redoes nothing.

Each finished document is one *part*: a folder `parts/<key>/` holding its rows of every published
table (Arrow IPC files, LZ4-compressed: as small as Parquet, read ten times faster by the merge), its Document (pickled, for the report and the checks across documents) and a small
summary. `key` is the sha256 of the file's bytes, the tool's fingerprint (its version and the hash
of its own code and data) and the options that change results (rules, aliases, salt, limits), so a
changed file, tool or option is simply a key not yet stored. A part is written in a temporary folder
and renamed into place: a part that exists is complete, whatever killed the run.

`run.json` records the last finished run (its keys, formats and files), so a rerun with nothing
changed can leave the outputs as they are.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path


STORE_DIR = ".tongbao"
PARTS = "parts"
RUN_FILE = "run.json"
DOCUMENT_FILE = "document.pickle"
SUMMARY_FILE = "summary.json"
LOCK_FILE = "lock"
TABLE_SUFFIX = ".arrow"  # a part's table: Arrow IPC file format
TABLE_COMPRESSION = "lz4"


def table_name(name: str) -> str:
    """The file of a published table within a part."""
    return name + TABLE_SUFFIX


def encode_table(table) -> bytes:
    """An Arrow table as a part stores it."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    sink = pa.BufferOutputStream()
    with ipc.new_file(sink, table.schema, options=ipc.IpcWriteOptions(compression=TABLE_COMPRESSION)) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def decode_table(source):
    """A part's table (from its bytes or its file) as an Arrow table."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    if isinstance(source, (bytes, bytearray)):
        return ipc.open_file(pa.py_buffer(source)).read_all()
    with pa.OSFile(str(source), "rb") as fh:
        return ipc.open_file(fh).read_all()


class StoreBusy(RuntimeError):
    """Another run holds the output folder."""


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """The version and a hash of every file of the package (code, data, schemas): a tool that
    changes reads files anew."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version("tongbao")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree without installing
        v = "source"
    h = hashlib.sha256(v.encode())
    root = resources.files("tongbao")
    for path in sorted(Path(str(root)).rglob("*")):
        if path.is_file() and path.suffix in (".py", ".yaml", ".csv", ".txt", ".json") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(str(root))).encode())
            h.update(path.read_bytes())
    return f"{v}+{h.hexdigest()[:16]}"


def file_digest(path: Path) -> str | None:
    """sha256 of the file's bytes, read in chunks; None when it cannot be read (the reader says why)."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def part_key(digest: str, options: str) -> str:
    return hashlib.sha256(f"{digest}\n{tool_fingerprint()}\n{options}".encode()).hexdigest()[:32]


class PartStore:
    """The parts of one output folder."""

    def __init__(self, out: Path):
        self.root = Path(out) / STORE_DIR
        self.parts = self.root / PARTS

    def path(self, key: str) -> Path:
        return self.parts / key

    def has(self, key: str) -> bool:
        return (self.path(key) / SUMMARY_FILE).is_file()

    def write(self, key: str, payload: dict[str, bytes]) -> None:
        """Write a part atomically: every file in a temporary folder, then one rename."""
        self.parts.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=self.parts))
        try:
            for name, data in payload.items():
                (tmp / name).write_bytes(data)
            target = self.path(key)
            if target.exists():  # --force over an earlier part
                shutil.rmtree(target)
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def summary(self, key: str) -> dict:
        return json.loads((self.path(key) / SUMMARY_FILE).read_text(encoding="utf-8"))

    def table(self, key: str, name: str):
        """A part's rows of a published table, as an Arrow table."""
        return decode_table(self.path(key) / table_name(name))

    def document(self, key: str):
        with open(self.path(key) / DOCUMENT_FILE, "rb") as fh:
            return pickle.load(fh)

    def clean_temporary(self) -> None:
        """Remove the temporary folders a killed run left behind (half-written parts, staged outputs)."""
        if self.parts.is_dir():
            for p in self.parts.glob(".*"):
                shutil.rmtree(p, ignore_errors=True)
        if self.root.is_dir():
            for p in self.root.glob(".staging-*"):
                shutil.rmtree(p, ignore_errors=True)

    @contextmanager
    def locked(self):
        """Hold the folder for one run: a second run into the same OUT stops at once instead of
        mixing its files with this one's."""
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK_FILE, "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreBusy(f"another tongbao run is writing to {self.root.parent}; wait for it or choose another --out") from None
            try:
                yield self
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def last_run(self) -> dict | None:
        try:
            return json.loads((self.root / RUN_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def record_run(self, run: dict) -> None:
        from .export.writers import write_text_atomic

        self.root.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.root / RUN_FILE, json.dumps(run, ensure_ascii=False, indent=1))
