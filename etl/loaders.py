"""The organisation loaders (raw -> staging) as one build step, run in the build's process or, for large inputs, in
a child process of their own.

Why a child: the loaders parse millions of JSON records in Python. Their objects are freed when a loader ends, but
the memory is not: the objects that live on (code items, resolver caches, quarantine rows) pin the allocator's
arenas, and `malloc_trim` gives back little of it. Measured at demo scale 100: 885 MB resident after the loaders and
malloc_trim, 672 MB of it anonymous memory, while DuckDB accounted for 92 MB and 0.9 M Python blocks were alive;
closing DuckDB gave back 185 MB, the rest stayed. Harmonise and the marts then let DuckDB take up to its memory
limit on top, and the build peaked at 2.0 GB (target 1.5 GB, issue 14). A child process returns all of it when it
exits; the build's own process never holds the loaders' heap. The child costs a process start and a pickle of the
context (about 3 s at demo scale 100), so small inputs (tests, scale-1 demo) load in-process unless
`JARJESTOKARTTA_LOADERS_PROCESS` says otherwise.

Both ways run the same code (:func:`load_sources`) on the same warehouse file and give the same tables, the same
quarantine rows in the same order and the same load statistics.
"""
from __future__ import annotations

import dataclasses
import gc
import importlib
import os
import pickle
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from .context import BuildContext, EtlError, LoadStats

PROCESS_ENV = "JARJESTOKARTTA_LOADERS_PROCESS"   # "child": always a child process, "self": never; unset: by size
# Organisation inputs at least this large load in a child (demo scale 1 is ~30 MB, scale 10 ~0.3 GB).
CHILD_MIN_BYTES = 100 * 1024 ** 2


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the loaders run, one collection after. The loaders parse
    millions of small dicts and lists and hold large indexes (PTV's channels and connections); each burst of new
    objects made the collector walk the whole growing heap again: a quarter of the PTV step at demo scale 10 (46.5 s
    -> 34.4 s CPU without it), more as the heap grows. Parsed JSON and staged rows are trees, not reference cycles:
    nothing waits for the collector meanwhile (reference counting frees them as before)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc `malloc_trim`); what the loaders' freed objects
    leave in pinned arenas stays (see the module text). No-op where the C library has no malloc_trim."""
    import ctypes
    import ctypes.util
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def load_module(name: str) -> Any:
    try:
        return importlib.import_module(f"etl.load.{name}")
    except ModuleNotFoundError as e:
        raise EtlError(f"loader etl.load.{name} is not installed: {e}") from e


def load_sources(con: Any, ctx: BuildContext, names: list[str], wanted: list[str],
                 report: Callable[[LoadStats], None] | None = None) -> tuple[list[LoadStats], dict[str, float]]:
    """Every loader in `names` in turn; one not in `wanted` sees no folders and creates its staging tables empty.
    Returns the wanted loaders' statistics and seconds (each also given to `report` as its loader ends); rejected
    rows go to `ctx.quarantine`."""
    stats: list[LoadStats] = []
    seconds: dict[str, float] = {}
    with cyclic_gc_paused():
        for name in names:
            mod = load_module(name)
            if name in wanted:
                s0 = time.perf_counter()
                result = mod.load(con, ctx)
                seconds[name] = round(time.perf_counter() - s0, 3)
                result.seconds = seconds[name]
                stats.append(result)
                if report:
                    report(result)
            else:
                mod.load(con, dataclasses.replace(ctx, org_dirs=[]))
    return stats, seconds


def input_bytes(files: list[Path], org_dirs: list[Path]) -> int:
    """Bytes of the organisation inputs among the build's files (those under an organisation folder)."""
    roots = [d.resolve() for d in org_dirs]
    total = 0
    for f in files:
        r = f.resolve()
        if any(r.is_relative_to(root) for root in roots):
            total += f.stat().st_size
    return total


def in_child(files: list[Path], org_dirs: list[Path]) -> bool:
    """Whether the loaders run in a child process: `JARJESTOKARTTA_LOADERS_PROCESS` (`child` / `self`), else when
    the organisation inputs are at least CHILD_MIN_BYTES."""
    choice = (os.environ.get(PROCESS_ENV) or "").strip().lower()
    if choice in ("child", "self"):
        return choice == "child"
    if choice:
        raise EtlError(f"{PROCESS_ENV}={choice!r}: expected 'child' or 'self'")
    return input_bytes(files, org_dirs) >= CHILD_MIN_BYTES


def _child(db_file: str, config: dict[str, str], ctx: BuildContext, names: list[str],
           wanted: list[str]) -> tuple[list[LoadStats], dict[str, float], list[dict[str, Any]]]:
    """In the child: the loaders on the build's file, which the parent has closed; the file is checkpointed and
    closed before the child returns its statistics and the quarantine rows it added."""
    before = len(ctx.quarantine.rows)   # rows the parent had set aside already came with the context
    con = duckdb.connect(db_file, config=config)
    try:
        stats, seconds = load_sources(con, ctx, names, wanted)
        con.execute("checkpoint")
    finally:
        con.close()
    return stats, seconds, ctx.quarantine.rows[before:]


def load_in_child(db_file: Path, config: dict[str, str], ctx: BuildContext, names: list[str],
                  wanted: list[str]) -> tuple[list[LoadStats], dict[str, float]]:
    """:func:`load_sources` in a new Python process (`python -m etl.loaders JOB RESULT`, pickles in a folder beside
    the build file) on `db_file`, which must not be open in this process. A new interpreter rather than
    multiprocessing: forking a process with DuckDB's threads is unsafe, and multiprocessing's spawn re-imports the
    caller's main script. The child's quarantine rows are appended to `ctx.quarantine` in their order; an error in
    the child (an EtlError naming the bad file, say) is raised here as it was raised there."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryDirectory(prefix=".loaders.", dir=db_file.parent) as folder:
        job, out = Path(folder) / "job.pickle", Path(folder) / "result.pickle"
        job.write_bytes(pickle.dumps((str(db_file), config, ctx, names, wanted)))
        code = subprocess.run([sys.executable, "-m", "etl.loaders", str(job), str(out)], env=env).returncode
        if not out.exists():
            raise EtlError(f"the loaders' process ended with exit code {code} before it finished (out of memory?)")
        ok, value = pickle.loads(out.read_bytes())
    if not ok:
        raise value
    stats, seconds, rows = value
    ctx.quarantine.rows.extend(rows)
    return stats, seconds


def _child_main(job: Path, out: Path) -> int:
    try:
        result = (True, _child(*pickle.loads(job.read_bytes())))
    except BaseException as e:   # noqa: BLE001 - handed to the parent, which raises it
        if not isinstance(e, EtlError):
            traceback.print_exc()
        try:
            pickle.dumps(e)
        except Exception:   # noqa: BLE001 - an exception that cannot travel: its text does
            e = RuntimeError("".join(traceback.format_exception(e)))
        result = (False, e)
    out.write_bytes(pickle.dumps(result))
    return 0 if result[0] else 1


def run(con: Any, reopen: Callable[[], Any], db_file: Path, config: dict[str, str], ctx: BuildContext,
        names: list[str], wanted: list[str], *, child: bool,
        report: Callable[[LoadStats], None]) -> tuple[Any, list[LoadStats], dict[str, float]]:
    """The loaders step: in this process on `con`, or (child) in a child process on `db_file` between closing `con`
    and opening it again with `reopen()`. Returns the connection to go on with, statistics and seconds; `report`
    gets each loader's statistics (as it ends in this process; from a child, when the child is done)."""
    if not child:
        stats, seconds = load_sources(con, ctx, names, wanted, report)
        release_free_memory()
        return con, stats, seconds
    con.close()
    stats, seconds = load_in_child(db_file, config, ctx, names, wanted)
    for result in stats:
        report(result)
    return reopen(), stats, seconds


if __name__ == "__main__":
    sys.exit(_child_main(Path(sys.argv[1]), Path(sys.argv[2])))
