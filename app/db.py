"""The only place a DuckDB connection is opened. Read-only, so a rebuild (atomic file swap) never fights the app."""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

from etl import paths

# Operator setting (README "Operator settings"): the Data page lists the raw text of each quarantined record only when
# this is "1". Public users see source, file name, place and reason; the raw record stays in the build's own files.
SHOW_RAW_ENV = "JARJESTOKARTTA_SHOW_RAW"


def show_raw_records() -> bool:
    return os.environ.get(SHOW_RAW_ENV, "") == "1"


def warehouse_path() -> Path:
    return paths.db_path()


def warehouse_exists(path: Path | None = None) -> bool:
    p = Path(path) if path else warehouse_path()
    return p.is_file() and p.stat().st_size > 0


def warehouse_stamp(path: Path | None = None) -> str:
    """Changes when the file is replaced by a new build (part of every cache key, next to the build id)."""
    p = Path(path) if path else warehouse_path()
    st = p.stat()
    return f"{p}:{st.st_mtime_ns}:{st.st_size}"


def connect(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only view of the warehouse file as it is now.

    `duckdb.connect(path)` reuses a database instance per path inside a process: while any connection to the old
    file is open, a new connect after a rebuild's `os.replace` would still see the OLD build. Attaching the file
    into a fresh in-memory database opens the current file every time; old connections keep their old snapshot
    until they are dropped from the cache.

    After the attach the connection is closed to the outside: `enable_external_access = false` (no file, URL or
    extension reads: `read_csv('/etc/passwd')`, `copy … to`, `install`, another `attach` all fail) and
    `lock_configuration = true` (no `set`/`pragma`/`reset` can undo that for the life of the connection).
    """
    p = Path(path) if path else warehouse_path()
    con = duckdb.connect(":memory:")
    # ATTACH takes no bound parameters; the path is ours (settings), quoted as an SQL string literal
    con.execute("attach '" + str(p).replace("'", "''") + "' as warehouse (read_only)")
    con.execute("use warehouse")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return con
