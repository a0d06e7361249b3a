"""The PTV v12 loader's per-record work (reading the pages, adapting each v12 record and applying the v11 rules to
it) in worker processes, so that a national catalogue loads on every core (issue 14: the build's Python loaders
used one core of two while DuckDB's own readers use both).

Only pure work moves. For a group of whole page files and the group's rows of the link table (looked up here in
DuckDB, which a worker never uses), a worker reads the files and says, per record in reading order, what the rules
decided (a staging row or a Reject, the channel's facts) and what the reader counted and set aside
(etl.load.ptv_v12.Adapter._job). The loader's process applies those answers in order exactly as it applies its own
when no worker runs: the duplicate checks, the channel index, the staging writers and the quarantine rows stay in
one process and come out the same, in the same order (tests/test_ptv_v12.py builds both ways and compares every
row).

Workers are forked (Linux) when the first group of a kind is handed out: they inherit the organisations, the
municipality resolver and the code lists without copying (copy-on-write; the cyclic collector is paused in the
loaders, so it does not touch the inherited heap), and end with the kind's last group. A worker that dies ends the
build with an EtlError naming the PTV step.

``JARJESTOKARTTA_PTV_WORKERS``: the number of worker processes (0 = none, the records are handled in the loader's
process). Unset: one per CPU when there are at least two and the PTV v12 service and channel pages are at least
:data:`MIN_BYTES`, else none."""
from __future__ import annotations

import collections
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from etl.context import EtlError

ENV_WORKERS = "JARJESTOKARTTA_PTV_WORKERS"
MIN_BYTES = 100 * 1024 ** 2   # demo scale 10's PTV v12 record pages are ~0.2 GB, scale 1's ~20 MB
MAX_WORKERS = 8
IN_FLIGHT_PER_WORKER = 2      # groups handed out per worker ahead of the one being applied (bounds the memory)

# what a forked worker runs: set in the loader's process before the workers are forked, inherited by them
_JOB: list[Callable[[list[Path], Any], list[Any]]] = []


def worker_count(record_files: Iterable[Path]) -> int:
    """How many worker processes the PTV records load with (see the module docstring)."""
    raw = (os.environ.get(ENV_WORKERS) or "").strip()
    if raw:
        try:
            n = int(raw)
        except ValueError:
            raise EtlError(f"{ENV_WORKERS}={raw!r}: expected a whole number of worker processes (0 = none)") from None
        if not 0 <= n <= MAX_WORKERS:
            raise EtlError(f"{ENV_WORKERS}={raw!r}: expected 0 to {MAX_WORKERS}")
        return n if _can_fork() else 0
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cpus < 2 or not _can_fork():
        return 0
    size = 0
    for path in record_files:
        try:
            size += path.stat().st_size
        except OSError:
            continue
        if size >= MIN_BYTES:
            return min(cpus, MAX_WORKERS)
    return 0


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _run(paths: list[Path], side: Any) -> list[Any]:
    return _JOB[0](paths, side)


class Workers:
    """`count` forked worker processes for one kind of records at a time (:meth:`ordered`)."""

    def __init__(self, count: int) -> None:
        if count < 1:
            raise ValueError("Workers needs at least one process")
        self.count = count

    def ordered(self, job: Callable[[list[Path], Any], list[Any]],
                groups: Iterator[tuple[list[Path], Any, Any]]) -> Iterator[tuple[Any, list[Any]]]:
        """For each `(paths, side, item)` of `groups`: `(item, job(paths, side))` with the job run in a worker, in
        the order of `groups`. The workers are forked when the first group is handed out (they inherit `job` and
        what it reads) and end with the last answer; at most :data:`IN_FLIGHT_PER_WORKER` groups per worker wait."""
        _JOB[:] = [job]
        pool = ProcessPoolExecutor(self.count, mp_context=multiprocessing.get_context("fork"))
        try:
            pending: collections.deque[tuple[Any, Future]] = collections.deque()
            depth = self.count * IN_FLIGHT_PER_WORKER
            for paths, side, item in groups:
                pending.append((item, pool.submit(_run, paths, side)))
                if len(pending) > depth:
                    yield self._next(pending)
            while pending:
                yield self._next(pending)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            _JOB.clear()

    @staticmethod
    def _next(pending: collections.deque[tuple[Any, Future]]) -> tuple[Any, list[Any]]:
        item, future = pending.popleft()
        try:
            return item, future.result()
        except BrokenProcessPool as e:
            raise EtlError(f"ptv: a worker process handling PTV records ended without an answer ({e}); "
                           f"set {ENV_WORKERS}=0 to load them in one process") from None
