"""The one runner of the ETL's SQL files: core (`etl/sql/core_*.sql`), intermediate (`int_*.sql`) and marts
(`mart_*.sql`). A file is named after the table it builds and holds set-based SQL only; Python orchestrates.

A file may hold
- bound parameters (`$name`, passed as `params`): values such as `$is_demo`;
- fragments (`{{ name }}`, passed as `fragments`): SQL text the code generates from its own constants, e.g. the
  source-priority `case` or keyword patterns inlined as literals (DuckDB compiles a bound pattern once per row).
  Never user data. A fragment the file does not use, or one it uses but is not given, is an error.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from etl import paths

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
    if params:
        con.execute(text, params)
    else:
        con.execute(text)
