"""The only place a DuckDB connection is opened. Read-only, so a rebuild (atomic file swap) never fights the app."""
from __future__ import annotations

from pathlib import Path

import duckdb

from etl import paths


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
    p = Path(path) if path else warehouse_path()
    return duckdb.connect(str(p), read_only=True)
