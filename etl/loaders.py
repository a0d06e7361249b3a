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

With inputs up to SPLIT_MAX_BYTES the loaders run in two children at once: PTV on the build file, the others on a
side file whose tables are copied into the build file afterwards (:func:`load_in_children`, :func:`take_side_tables`).

Every way runs the same code (:func:`load_sources`) and gives the same tables, the same quarantine rows in the same
order and the same load statistics.
"""
from __future__ import annotations

import dataclasses
import gc
import importlib
import os
import pickle
import shutil
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
# With a child: PTV (most of the loaders' time, on its own file) and the other loaders (on a side file) in two
# children at once, for organisation inputs up to SPLIT_MAX_BYTES ("1" / "0" say always / never). Measured with the
# demo (2 cores): at scale 10 (0.43 GB) PTV's loader and its worker leave part of the cores idle and the other
# loaders fill it (loaders 46.8 s -> 41.9 s); at scale 100 (4.2 GB) PTV alone keeps both cores busy, so the split
# gave nothing (405 s -> 411 s) while the second child's 852 MB beside PTV's took the build's peak from 1.4 to 2.0 GB.
SPLIT_ENV = "JARJESTOKARTTA_LOADERS_SPLIT"
SPLIT_MAX_BYTES = 1024 ** 3
HEAVY = "ptv"


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


def in_child(size: int) -> bool:
    """Whether the loaders run in a child process: `JARJESTOKARTTA_LOADERS_PROCESS` (`child` / `self`), else when
    the organisation inputs (`size` bytes, :func:`input_bytes`) are at least CHILD_MIN_BYTES."""
    choice = (os.environ.get(PROCESS_ENV) or "").strip().lower()
    if choice in ("child", "self"):
        return choice == "child"
    if choice:
        raise EtlError(f"{PROCESS_ENV}={choice!r}: expected 'child' or 'self'")
    return size >= CHILD_MIN_BYTES


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


def _start(db_file: Path, config: dict[str, str], ctx: BuildContext, names: list[str], wanted: list[str],
           folder: Path) -> tuple[subprocess.Popen, Path]:
    """Start `python -m etl.loaders JOB RESULT` on `db_file` (job and result pickles in `folder`)."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    job, out = folder / "job.pickle", folder / "result.pickle"
    job.write_bytes(pickle.dumps((str(db_file), config, ctx, names, wanted)))
    return subprocess.Popen([sys.executable, "-m", "etl.loaders", str(job), str(out)], env=env), out


def _finish(proc: subprocess.Popen, out: Path) -> tuple[bool, Any]:
    """Wait for a child started by :func:`_start`: (ok, its result or the error it raised)."""
    code = proc.wait()
    if not out.exists():
        return False, EtlError(f"the loaders' process ended with exit code {code} before it finished "
                               "(out of memory?)")
    return pickle.loads(out.read_bytes())


def load_in_child(db_file: Path, config: dict[str, str], ctx: BuildContext, names: list[str],
                  wanted: list[str]) -> tuple[list[LoadStats], dict[str, float]]:
    """:func:`load_sources` in a new Python process (`python -m etl.loaders JOB RESULT`, pickles in a folder beside
    the build file) on `db_file`, which must not be open in this process. A new interpreter rather than
    multiprocessing: forking a process with DuckDB's threads is unsafe, and multiprocessing's spawn re-imports the
    caller's main script. The child's quarantine rows are appended to `ctx.quarantine` in their order; an error in
    the child (an EtlError naming the bad file, say) is raised here as it was raised there."""
    with tempfile.TemporaryDirectory(prefix=".loaders.", dir=db_file.parent) as folder:
        ok, value = _finish(*_start(db_file, config, ctx, names, wanted, Path(folder)))
    if not ok:
        raise value
    stats, seconds, rows = value
    ctx.quarantine.rows.extend(rows)
    return stats, seconds


def side_file(db_file: Path) -> Path:
    """The warehouse file the second child writes its staging tables to (copied into `db_file` after)."""
    return db_file.with_name(db_file.name + ".side")


def split(names: list[str], wanted: list[str], size: int = 0) -> tuple[list[str], list[str]] | None:
    """The loaders of the two children, or None for one child: PTV alone and every other loader in the second, when
    PTV is first and wanted and another loader is wanted too, and the organisation inputs (`size` bytes) are at most
    :data:`SPLIT_MAX_BYTES` (:data:`SPLIT_ENV` `1` / `0`: whatever the size / never)."""
    choice = (os.environ.get(SPLIT_ENV) or "").strip()
    if choice not in ("", "0", "1"):
        raise EtlError(f"{SPLIT_ENV}={choice!r}: expected '0' or '1'")
    if choice == "0" or (not choice and size > SPLIT_MAX_BYTES):
        return None
    if not names or names[0] != HEAVY or HEAVY not in wanted or not set(wanted) - {HEAVY}:
        return None
    return names[:1], names[1:]


def load_in_children(db_file: Path, config: dict[str, str], ctx: BuildContext, groups: tuple[list[str], list[str]],
                     wanted: list[str]) -> tuple[list[LoadStats], dict[str, float]]:
    """:func:`load_in_child` for the two `groups` of loaders (:func:`split`) at the same time: the first on
    `db_file`, the second on :func:`side_file` (a DuckDB file takes one writing process), with a spill folder of its
    own. The statistics, seconds and quarantine rows come back in the groups' order, as from one child; the side
    file's tables are copied in by :func:`take_side_tables` once `db_file` is open again. Both children are waited
    for; the error of one that failed by itself is raised, not that of the other it ended."""
    first, second = groups
    side = side_file(db_file)
    side_config = {**config, "temp_directory": config.get("temp_directory", str(side)) + ".side"}
    side.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix=".loaders.", dir=db_file.parent) as folder:
        a, b = Path(folder) / "a", Path(folder) / "b"
        a.mkdir()
        b.mkdir()
        started = [_start(db_file, config, ctx, first, [w for w in wanted if w in first], a),
                   _start(side, side_config, ctx, second, [w for w in wanted if w in second], b)]
        stopped: set[int] = set()
        try:
            stopped = _stop_others_on_failure(started)
        except BaseException:   # interrupted: the children go too
            for proc, _ in started:
                proc.terminate()
            raise
        finally:
            results = [_finish(*s) for s in started]
    shutil.rmtree(side_config["temp_directory"], ignore_errors=True)
    errors = [value for i, (ok, value) in enumerate(results) if not ok and i not in stopped]
    if errors:
        side.unlink(missing_ok=True)
        raise errors[0]
    stats: list[LoadStats] = []
    seconds: dict[str, float] = {}
    for _, (s, sec, rows) in results:
        stats += s
        seconds.update(sec)
        ctx.quarantine.rows.extend(rows)
    return stats, seconds


def _stop_others_on_failure(started: list[tuple[subprocess.Popen, Path]]) -> set[int]:
    """Wait until every child has ended; once one fails (exits non-zero: an error, or killed), end the others,
    whose work is of no use: the build stops with that error. Returns the positions of the children ended here."""
    running = dict(enumerate(started))
    while running:
        for i, (proc, _) in list(running.items()):
            if proc.poll() is None:
                continue
            del running[i]
            if proc.returncode != 0:
                for other, _ in running.values():
                    other.terminate()
                for other, _ in running.values():
                    other.wait()
                return set(running)
        time.sleep(0.1)
    return set()


def take_side_tables(con: Any, side: Path) -> list[str]:
    """Copy every table of the side file into `con`'s warehouse (same definition, same rows in the same order) and
    remove the file; returns the tables' names."""
    con.execute("attach '{}' as loaders_side (read_only)".format(str(side).replace("'", "''")))
    try:
        tables = con.execute("select table_name, sql from duckdb_tables() where database_name = 'loaders_side' "
                             "order by table_name").fetchall()
        for name, ddl in tables:
            con.execute(ddl)
            con.execute(f'insert into "{name}" select * from loaders_side."{name}"')
    finally:
        con.execute("detach loaders_side")
    side.unlink()
    Path(str(side) + ".wal").unlink(missing_ok=True)
    return [t for t, _ in tables]


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
        report: Callable[[LoadStats], None], size: int = 0) -> tuple[Any, list[LoadStats], dict[str, float]]:
    """The loaders step: in this process on `con`, or (child) in a child process on `db_file` between closing `con`
    and opening it again with `reopen()`. Returns the connection to go on with, statistics and seconds; `report`
    gets each loader's statistics (as it ends in this process; from a child, when the child is done)."""
    if not child:
        stats, seconds = load_sources(con, ctx, names, wanted, report)
        release_free_memory()
        return con, stats, seconds
    con.close()
    groups = split(names, wanted, size)
    if groups is None:
        stats, seconds = load_in_child(db_file, config, ctx, names, wanted)
    else:
        stats, seconds = load_in_children(db_file, config, ctx, groups, wanted)
    for result in stats:
        report(result)
    con = reopen()
    if groups is not None:
        take_side_tables(con, side_file(db_file))
    return con, stats, seconds


if __name__ == "__main__":
    sys.exit(_child_main(Path(sys.argv[1]), Path(sys.argv[2])))
