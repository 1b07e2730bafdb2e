"""A batch's options checked before any work starts, each mistake one line that says what to change.

A run over thousands of files should not spend an hour and then fail on `--out` being a file or an
aliases file that is missing; `check_batch_options` raises `OptionError` at once instead.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SCHEDULERS = ("processes", "serial", "dask")
MIN_MEMORY_MB = 256  # below this a worker cannot even import its libraries


class OptionError(ValueError):
    """An option that cannot work, with the option's name."""

    def __init__(self, option: str, message: str):
        super().__init__(f"{option}: {message}")
        self.option = option
        self.message = message


@dataclass(frozen=True)
class BatchOptions:
    workers: int | None = None
    scheduler: str = "processes"
    out: Path | None = None
    aliases: Path | None = None
    timeout: float | None = None
    memory_mb: int | None = None
    indicator_aliases: Path | None = None


def check_batch_options(options: BatchOptions) -> None:
    """Raise OptionError for the first option that cannot work."""
    if options.workers is not None and options.workers < 1:
        raise OptionError("--workers", f"{options.workers} processes cannot run anything; give 1 or more")
    if options.scheduler not in SCHEDULERS:
        raise OptionError("--scheduler", f"unknown scheduler {options.scheduler!r}; choose from {', '.join(SCHEDULERS)}")
    if options.timeout is not None and not options.timeout > 0:
        raise OptionError("--timeout", f"{options.timeout} seconds leaves no time to read a file; give a positive number")
    if options.memory_mb is not None and options.memory_mb < MIN_MEMORY_MB:
        raise OptionError("--memory-limit", f"{options.memory_mb} MB is too little to start a worker; give {MIN_MEMORY_MB} or more")
    if options.out is not None:
        _check_out(Path(options.out))
    if options.aliases is not None:
        from .normalize.departments import load_user_aliases

        _check_readable("--aliases", Path(options.aliases), load_user_aliases)
    if options.indicator_aliases is not None:
        from .normalize.indicators import load_indicator_aliases

        _check_readable("--indicator-aliases", Path(options.indicator_aliases), load_indicator_aliases)


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise OptionError("--out", f"{out} is a file; the dataset is written into a folder")
    parent = next((p for p in [out, *out.parents] if p.exists()), None)
    if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise OptionError("--out", f"{out} cannot be created: {parent or out} is not a writable folder")


def _check_readable(option: str, path: Path, load) -> None:
    """The file exists and `load` reads it without an error (what the run would do later)."""
    if not path.is_file():
        raise OptionError(option, f"{path} is not a file")
    try:
        load(path)
    except (OSError, UnicodeError, ValueError) as exc:
        raise OptionError(option, str(exc)) from exc
