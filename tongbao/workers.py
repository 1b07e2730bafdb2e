"""A pool of worker processes under a supervisor: each file gets a wall-clock timeout and a memory
ceiling, and a worker that overruns, dies or is killed is replaced while the batch goes on.

concurrent.futures' pool cannot do this (one dead worker breaks the whole pool, and a running task
cannot be stopped), so the supervisor keeps one pipe per worker, hands out one task at a time, and
waits on the pipes and the process sentinels together. Workers are forked from a forkserver that has
imported tongbao once, so a replacement starts in milliseconds and no thread of the parent (a
progress bar's) is copied into a child.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait

TASKS_PER_WORKER = 200  # a worker is replaced after this many files, so a slow leak cannot grow
POLL_SECONDS = 0.5  # how often deadlines are looked at when nothing else happens
PRELOAD = ["tongbao.warm"]  # imported once by the forkserver (and so built once), inherited by every worker


@dataclass(frozen=True)
class Lost:
    """A task whose worker did not return a result: the reason, for the file's `failed` row."""

    reason: str


def _set_memory_ceiling(megabytes: int | None) -> None:
    """Cap the process's private memory (RLIMIT_DATA: heap and anonymous maps, not mapped files),
    so a bomb raises MemoryError here instead of exhausting the machine."""
    if not megabytes:
        return
    import resource

    limit = megabytes * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ValueError, OSError):  # pragma: no cover - a platform without it: the timeout still holds
        pass


def _worker(conn, func: Callable, memory_mb: int | None) -> None:
    """Receive (index, item), send back (index, result) until told to stop (None)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the supervisor's to handle
    _set_memory_ceiling(memory_mb)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        index, item = task
        try:
            result = func(item)
        except MemoryError:
            result = Lost(f"the file needed more memory than the ceiling of {memory_mb} MB")
        except Exception as exc:  # noqa: BLE001 - the item fails, the worker goes on
            result = Lost(f"{type(exc).__name__}: {exc}")
        conn.send((index, result))


class _Slot:
    """One worker process, its pipe, and the task it is running."""

    def __init__(self, ctx, func, memory_mb):
        parent, child = ctx.Pipe()
        self.conn = parent
        self.proc = ctx.Process(target=_worker, args=(child, func, memory_mb), daemon=True)
        self.proc.start()
        child.close()
        self.task: tuple[int, object] | None = None
        self.started = 0.0
        self.done = 0

    def give(self, task) -> None:
        """Send a task; a worker that died before it could take one is seen by its sentinel, and the
        task becomes Lost like any other whose worker died (never silently left undone)."""
        self.task, self.started = task, time.monotonic()
        try:
            self.conn.send(task)
        except OSError:
            pass

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def _context():
    ctx = mp.get_context("forkserver")
    try:
        ctx.set_forkserver_preload(PRELOAD)
    except Exception:  # pragma: no cover - preload is a speed-up only
        pass
    return ctx


def start_forkserver() -> None:
    """Start the forkserver (it imports PRELOAD) without waiting for it: call it early, and the
    workers' warm-up runs beside the caller's own imports."""
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()


def _death(proc) -> str:
    code = proc.exitcode
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        hint = " (killed: out of memory?)" if -code == signal.SIGKILL else ""
        return f"the worker reading it died of {name}{hint}"
    return f"the worker reading it exited with code {code}"


def supervised_map(func: Callable, items: Iterable, workers: int, timeout: float | None = None,
                   memory_mb: int | None = None) -> Iterator[tuple[int, object]]:
    """(index, func(item)) as each finishes, or (index, Lost(reason)) for an item whose worker timed
    out or died; `func` must be importable by name (it is sent to the workers by reference)."""
    pending = deque(enumerate(items))
    if not pending:
        return
    ctx = _context()
    slots: list[_Slot] = []
    try:
        for _ in range(min(workers, len(pending))):
            slots.append(_Slot(ctx, func, memory_mb))
        for s in slots:
            if pending:
                s.give(pending.popleft())
        while any(s.task is not None for s in slots):
            busy = [s for s in slots if s.task is not None]
            ready = wait([s.conn for s in busy] + [s.proc.sentinel for s in busy], timeout=POLL_SECONDS)
            now = time.monotonic()
            for i, s in enumerate(list(slots)):
                if s.task is None:
                    continue
                result, replace = None, False
                if s.conn in ready:
                    try:
                        result = s.conn.recv()
                    except (EOFError, OSError):
                        result, replace = (s.task[0], Lost(_death_after_join(s.proc))), True
                    else:
                        s.done += 1
                        replace = s.done >= TASKS_PER_WORKER
                elif s.proc.sentinel in ready:
                    result, replace = (s.task[0], Lost(_death_after_join(s.proc))), True
                elif timeout and now - s.started > timeout:
                    s.kill()
                    result, replace = (s.task[0], Lost(f"timed out after {timeout:g} s (the per-file limit)")), True
                if result is None:
                    continue
                s.task = None
                if replace:
                    if s.proc.is_alive():
                        s.stop()
                    else:
                        s.kill()
                    if pending:
                        s = slots[i] = _Slot(ctx, func, memory_mb)
                if pending:
                    s.give(pending.popleft())
                yield result
    finally:
        for s in slots:
            if s.task is not None or not s.proc.is_alive():
                s.kill()
            else:
                s.stop()


def _death_after_join(proc) -> str:
    proc.join(timeout=5)
    return _death(proc)


def in_process_map(func: Callable, items: Iterable) -> Iterator[tuple[int, object]]:
    """The serial scheduler: every item in this process, in order (no timeout or memory ceiling:
    for debugging, and for batches too small to be worth a process)."""
    yield from enumerate(map(func, items))


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
