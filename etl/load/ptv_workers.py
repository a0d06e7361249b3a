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

A worker is a new Python process (multiprocessing's spawn), set up once with a copy of what the rules read (the
organisations, the municipality resolver, the code lists: etl.load.ptv_v12.worker_init) and ended with the
services' last group; it never uses DuckDB. A worker that dies ends the build with an EtlError naming the PTV step.
Not forked: a fork shares the loader's pages only until either side writes one, and the loader keeps writing (its
DuckDB buffers, its heap), so a forked worker came to hold half a gigabyte of the loader's old pages at demo scale
100; forking a process that holds DuckDB's threads is also unsafe in general (etl/loaders.py).

``JARJESTOKARTTA_PTV_WORKERS``: the number of worker processes (0 = none, the records are handled in the loader's
process). Unset: one per CPU but one (this process shares the work: :meth:`Workers.ordered`) when there are at least
two and the PTV v12 service and channel pages are at least :data:`MIN_BYTES`, else none. Each worker adds its
own memory: an interpreter, its copy of the organisations and the group it reads."""
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
ANSWER_TIMEOUT = 900.0        # seconds to wait for one group's answer (a group takes about a second)
LOCAL_AHEAD = 2               # groups this process may do itself, beyond those, while the oldest answer is not back

# what a worker process runs, by kind: set by the initializer Workers is given (etl.load.ptv_v12.worker_init)
_JOBS: dict[str, Callable[[list[Path], Any], list[Any]]] = {}


def set_jobs(jobs: dict[str, Callable[[list[Path], Any], list[Any]]]) -> None:
    _JOBS.clear()
    _JOBS.update(jobs)


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
        return n
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cpus < 2:
        return 0
    size = 0
    for path in record_files:
        try:
            size += path.stat().st_size
        except OSError:
            continue
        if size >= MIN_BYTES:
            return min(cpus - 1, MAX_WORKERS)   # this process works too
    return 0


def _run(kind: str, paths: list[Path], side: Any) -> list[Any]:
    return _JOBS[kind](paths, side)


class Workers:
    """`count` worker processes, each set up once by `initializer(*initargs)` (which must :func:`set_jobs`), used by
    :meth:`ordered` until :meth:`close`; `jobs` are the same jobs for this process, which shares the work while it
    would otherwise wait. The workers are new interpreters (multiprocessing's spawn), started when the first group
    is handed out: a forked copy of the loader's process would share its pages only until either side writes one,
    and at demo scale 100 that grew a worker to half a gigabyte of the parent's old pages."""

    def __init__(self, count: int, jobs: dict[str, Callable[[list[Path], Any], list[Any]]],
                 initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
        if count < 1:
            raise ValueError("Workers needs at least one process")
        self.count = count
        self.local_groups = 0   # groups this process did itself while waiting (for the tests and the figures)
        self.jobs = dict(jobs)
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            count, mp_context=multiprocessing.get_context("spawn"), initializer=initializer, initargs=initargs)

    def ordered(self, kind: str, groups: Iterator[tuple[list[Path], Any, Any]]) -> Iterator[tuple[Any, list[Any]]]:
        """For each `(paths, side, item)` of `groups`: `(item, jobs[kind](paths, side))`, in the order of `groups`.
        The job runs in a worker, or here when the oldest answer is not back yet and fewer than
        :data:`LOCAL_AHEAD` groups wait beyond the workers' (this process works instead of waiting: with one worker
        per spare core the cores stay busy). At most :data:`IN_FLIGHT_PER_WORKER` groups per worker wait."""
        if self._pool is None:
            raise RuntimeError("the workers are closed")
        job = self.jobs[kind]
        pending: collections.deque[tuple[Any, Any]] = collections.deque()   # (item, Future or answers)
        depth = self.count * IN_FLIGHT_PER_WORKER
        in_pool = 0
        source = iter(groups)
        more = True
        try:
            while more or pending:
                while more and in_pool < depth:
                    nxt = next(source, None)
                    if nxt is None:
                        more = False
                        break
                    pending.append((nxt[2], self._pool.submit(_run, kind, nxt[0], nxt[1])))
                    in_pool += 1
                head = pending[0][1] if pending else None
                if more and isinstance(head, Future) and not head.done() and len(pending) < depth + LOCAL_AHEAD:
                    nxt = next(source, None)
                    if nxt is None:
                        more = False
                        continue
                    pending.append((nxt[2], job(nxt[0], nxt[1])))
                    self.local_groups += 1
                    continue
                if not pending:
                    continue
                item, answer = pending.popleft()
                if isinstance(answer, Future):
                    in_pool -= 1
                    answer = self._result(answer)
                yield item, answer
        finally:
            for _item, answer in pending:
                if isinstance(answer, Future):
                    answer.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @staticmethod
    def _result(future: Future) -> list[Any]:
        try:
            return future.result(timeout=ANSWER_TIMEOUT)
        except BrokenProcessPool as e:
            raise EtlError(f"ptv: a worker process handling PTV records ended without an answer ({e}); "
                           f"set {ENV_WORKERS}=0 to load them in one process") from None
        except TimeoutError:
            raise EtlError(f"ptv: a worker process handling PTV records gave no answer in {ANSWER_TIMEOUT:.0f} s "
                           "(a group takes about a second; a script that builds in its own process must guard its "
                           f"main module with `if __name__ == '__main__'`); set {ENV_WORKERS}=0 to load them in "
                           "one process") from None
