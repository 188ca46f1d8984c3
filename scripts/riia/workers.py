"""One pool of worker processes for the steps after dbt that write many files: each
recipient's exports (riia.publish) and the reports (riia.reports.render).

The workers are forked (they inherit the imported modules, and no main module is run
again) the first time the pool is used, or by `start()`, when no DuckDB connection of
this package is open: each job opens its own, read-only. `riia build` starts them before
anything else, so that they do not inherit the memory dbt leaves in its process.
RIIA_WORKERS sets how many; 1 runs every job in this process.

A stop (Ctrl-C, SIGTERM) reaches every process of a terminal's or a service's group at once.
The workers ignore it and leave it to the process that started them, which cancels the jobs
not yet started, lets the running ones end and stops the pool: a worker killed by the
signal would break the pool under the jobs the build had just cancelled, and the build
would hang on its way out (it did, on SIGTERM to the group during the exports). A stop
that comes while the pool is being made waits until it is whole (see `_stops_held`).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

_executor: list[ProcessPoolExecutor] = []
PR_SET_PDEATHSIG = 1  # prctl(2)
STOPS = (signal.SIGINT, signal.SIGTERM)


def worker_count() -> int:
    """RIIA_WORKERS, else one per core (at most 4)."""
    wanted = os.environ.get("RIIA_WORKERS")
    return max(1, int(wanted)) if wanted else max(1, min(os.cpu_count() or 1, 4))


def cores_each(processes: int) -> int:
    """The cores each of `processes` processes working side by side may keep busy (at least one)."""
    return max(1, (os.cpu_count() or 1) // processes)


def duckdb_threads() -> int:
    """DuckDB threads for a connection inside a worker: the cores shared among the workers."""
    return cores_each(worker_count())


def _leave_stops_to_the_parent(parent: int) -> None:
    """A worker's first act: Ctrl-C and SIGTERM are for the process that started it, and
    if that process is killed outright (SIGKILL, the kernel's out-of-memory killer) the
    worker ends too (Linux: PR_SET_PDEATHSIG), rather than wait for jobs forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)


@contextlib.contextmanager
def _stops_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM that come while the block runs are noted, and delivered to this
    process's own handlers when it ends. Around the making of the pool: a worker forked
    with this process's handlers ran them before its first act (a traceback from a worker
    that then never served), and a stop raised between the forks and the start of the
    pool's manager thread left workers that nobody stopped (the build hung on its way out)."""
    if threading.current_thread() is not threading.main_thread():  # handlers are the main thread's
        yield
        return
    held: list[int] = []
    previous = {number: signal.signal(number, lambda number, frame: held.append(number)) for number in STOPS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        if held:
            signal.raise_signal(held[0])


def _ready(_: int) -> int:
    return os.getpid()


def executor() -> ProcessPoolExecutor:
    """The pool, made on first use and reused by every step of the process."""
    if not _executor:
        context = multiprocessing.get_context("fork")
        with _stops_held():
            pool = ProcessPoolExecutor(
                max_workers=worker_count(),
                mp_context=context,
                initializer=_leave_stops_to_the_parent,
                initargs=(os.getpid(),),
            )
            _executor.append(pool)
            atexit.register(shutdown_workers)
            # the first job forks the workers and starts the pool's manager thread; it is waited
            # for: a job still in flight when the process exits (a build that could not start)
            # can wake the manager thread into closing its pipe while Python's exit writes to
            # it (CPython 3.11: "OSError: Bad file descriptor" at exit)
            pool.submit(_ready, 0).result()
    return _executor[0]


def start() -> None:
    """Fork the pool's workers now, while this process is small. A process forked later
    starts with every page its parent holds by then (after dbt, which runs in `riia
    build`'s own process, some 600 MB), and they count in its resident memory: forked at
    the start, a worker holds the imported modules and what its own jobs need."""
    if worker_count() > 1:
        executor()


def shutdown_workers() -> None:
    """Stop the pool's workers (at exit, or to count their CPU time): the jobs not started
    are cancelled, the running ones end."""
    while _executor:
        _executor.pop().shutdown(cancel_futures=True)


def run_each(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """function(item) for every item, results in order: in the workers when there is more
    than one item and more than one worker, else here."""
    if worker_count() <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    return list(executor().map(function, items))
