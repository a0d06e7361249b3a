"""What the core builders share: staging-table discovery, the typed `union all`, the source-priority order, work
tables from frames, and the `_core_` prefix of the work tables (dropped by `build_core` when it is done)."""
from __future__ import annotations

import re
from typing import Any

import pandas as pd

SOURCE_PRIORITY = ("ytj", "ptv", "stea", "lahella", "template")
WORK_PREFIX = "_core_"


def tables(con: Any) -> set[str]:
    return {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = current_schema()").fetchall()}


def _columns(con: Any, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = current_schema() "
        "and table_name = ?", [table]).fetchall()}


def staging_tables(con: Any, entity: str) -> list[str]:
    """`stg_<source>__<entity>` tables in the current schema, sorted."""
    pattern = re.compile(rf"stg_[a-z0-9_]+?__{entity}")
    return sorted(t for t in tables(con) if pattern.fullmatch(t))


def union_sql(con: Any, table_names: list[str], columns: list[str], types: list[str]) -> str:
    """One `union all` over the tables with every column cast; a missing column becomes NULL. Generated, not a
    file: its parts are the staging tables found in the schema (a new source needs no change)."""
    empty = "select " + ", ".join(f"cast(null as {t}) as {c}" for c, t in zip(columns, types)) + " where false"
    parts = [empty]
    for table in table_names:
        have = _columns(con, table)
        parts.append("select " + ", ".join(
            f"cast({c if c in have else 'null'} as {t}) as {c}" for c, t in zip(columns, types))
            + f' from "{table}"')
    return "\nunion all\n".join(parts)


def stage(con: Any, name: str, table_names: list[str], columns: list[str], types: list[str], *,
          row_id: str | None = None) -> None:
    """Work table `name`: the union of the staging tables; with `row_id`, a column numbering the rows."""
    union = union_sql(con, table_names, columns, types)
    select = f"select *, row_number() over () as {row_id} from ({union})" if row_id else union
    con.execute(f'create or replace temp table "{name}" as {select}')


def sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def priority_sql(col: str) -> str:
    """The source-priority rank of `col` (SOURCE_PRIORITY order; other sources after them), a SQL fragment."""
    cases = " ".join(f"when '{s}' then {i}" for i, s in enumerate(SOURCE_PRIORITY))
    return f"(case {col} {cases} else {len(SOURCE_PRIORITY)} end)"


def register(con: Any, name: str, df: pd.DataFrame, types: dict[str, str]) -> None:
    """Write a work table from a frame with explicit column types (an empty frame has none of its own)."""
    con.register("_core_df_tmp", df)
    try:
        cols = ", ".join(f"cast({c} as {t}) as {c}" for c, t in types.items())
        con.execute(f'create or replace temp table "{name}" as select {cols} from _core_df_tmp')
    finally:
        con.unregister("_core_df_tmp")


def register_mapping(con: Any, name: str, values: list[Any], fn: Any, columns: tuple[str, str]) -> None:
    """Work table `name`(key, value) of varchars: each distinct value and fn(value), computed once in Python."""
    key, val = columns
    register(con, name, pd.DataFrame({key: pd.Series(values, dtype="object"),
                                      val: pd.Series([fn(v) for v in values], dtype="object")}),
             {key: "varchar", val: "varchar"})


def drop_work_tables(con: Any) -> None:
    for (name,) in con.execute("select table_name from duckdb_tables() where temporary and starts_with(table_name, ?)",
                               [WORK_PREFIX]).fetchall():
        con.execute(f'drop table if exists "{name}"')
