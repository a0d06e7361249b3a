"""The one runner of the ETL's SQL files: core (`etl/sql/core_*.sql`), intermediate (`int_*.sql`) and marts
(`mart_*.sql`). A file is named after the table it builds and holds set-based SQL only; Python orchestrates.

A file may hold
- bound parameters (`$name`, passed as `params`): values such as `$is_demo`;
- fragments (`{{ name }}`, passed as `fragments`): SQL text the code generates from its own constants, e.g. the
  source-priority `case` or keyword patterns inlined as literals (DuckDB compiles a bound pattern once per row).
  Never user data. A fragment the file does not use, or one it uses but is not given, is an error.
"""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

import duckdb

from etl import paths

log = logging.getLogger(__name__)
_SIZE = re.compile(r"^\s*([0-9.]+)\s*([KMGT]?i?B)\s*$")
_UNITS = {"B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4,
          "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}

_FRAGMENT = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


def render_sql(text: str, fragments: dict[str, str] | None = None) -> str:
    """Replace every `{{ name }}` in `text` by `fragments[name]`."""
    fragments = fragments or {}
    used = set(_FRAGMENT.findall(text))
    missing, unused = used - fragments.keys(), fragments.keys() - used
    if missing or unused:
        raise ValueError(f"SQL fragments missing: {sorted(missing)}, not used: {sorted(unused)}")
    return _FRAGMENT.sub(lambda m: fragments[m.group(1)], text)


def run_sql(con: Any, name: str, *, params: dict[str, Any] | None = None, fragments: dict[str, str] | None = None,
            sql_dir: Path | None = None) -> None:
    """Execute `<sql_dir>/<name>.sql` (default etl/sql) on `con`."""
    text = render_sql(((sql_dir or paths.SQL_DIR) / f"{name}.sql").read_text(encoding="utf-8"), fragments)
    while True:
        try:
            if params:
                con.execute(text, params)
            else:
                con.execute(text)
            return
        except duckdb.OutOfMemoryException:
            if not _raise_memory_limit(con, name):
                raise


def memory_ceiling() -> int:
    """DuckDB's own default limit: 80% of the machine's memory (bytes)."""
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * 0.8)


def _raise_memory_limit(con: Any, name: str) -> bool:
    """After an out-of-memory error: double the connection's memory_limit, up to DuckDB's own default, so the file
    runs again (every file is re-runnable: `create or replace`). The build's limit is a target for the peak, not a
    reason to fail a build whose statement needs more (logged as a warning). False when nothing is left to give."""
    current = str(con.execute("select current_setting('memory_limit')").fetchone()[0])
    m = _SIZE.match(current)
    ceiling = memory_ceiling()
    if not m or m.group(2) not in _UNITS:
        return False
    now = int(float(m.group(1)) * _UNITS[m.group(2)])
    if now >= ceiling:
        return False
    new = min(2 * now, ceiling)
    con.execute(f"set memory_limit = '{new // 2**20}MiB'")
    log.warning("%s.sql ran out of memory at DuckDB memory_limit %s; running it again with %s MiB",
                name, current, new // 2**20)
    return True
