"""Build the mart tables the pages read, from the core tables (docs/data-model.md).

Each mart is one SQL file, ``etl/sql/<mart>.sql`` (``create or replace table <mart> as ...``), run by
``etl.sqlrun.run_sql`` like the core tables. They run in a fixed order because some marts read others: need vs
supply reads the area and country rates; the shared counts, rates and location quotients of the three metric marts
come from the intermediate table int_metric_cells. Metric definitions: docs/methods.md.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from etl import paths
from etl.sqlrun import run_sql

# Dependency order: int_* <- the metric marts <- need_supply (supply rate).
INTERMEDIATE: tuple[str, ...] = ("int_activity_placed", "int_metric_cells")
MART_ORDER: tuple[str, ...] = (
    "mart_country_metrics",
    "mart_area_metrics",
    "mart_municipality_metrics",
    "mart_white_spot",
    "mart_national_reach",
    "mart_grants_area_year",
    "mart_swedish_coverage",
    "mart_need_supply",
    "mart_org_visibility",
    "mart_data_gap",
    "mart_activity_list",
    "mart_org_source",
)
# Service paths (issue 10): built after the organisation marts, from the activity core tables, the public core
# tables and the path dimensions (etl/public_services.py). The two int_path_* steps (the placed organisation
# activities and public service points of each path) read mart_path_activity and feed the marts after them.
PATH_MART_ORDER: tuple[str, ...] = (
    "mart_path_activity",
    "int_path_org_place",
    "int_path_public_place",
    "mart_path_public_service",
    "mart_path_municipality",
    "mart_path_municipality_stage",
    "mart_path_area",
    "mart_path_area_stage",
    "mart_path_nearby",
)


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_name = ? and table_schema = current_schema()",
        [name],
    ).fetchone()
    return bool(row and row[0])


def ensure_build_ref(con: duckdb.DuckDBPyConnection, ref_date: date | None = None) -> None:
    """Make sure ``_build_ref(ref_date date)`` holds one row: the date "updated within 12 months" is measured from.

    An explicit ``ref_date`` replaces the table; otherwise an existing table is kept (the build writes it) and a
    missing one is created with today's date.
    """
    if ref_date is not None or not _table_exists(con, "_build_ref"):
        con.execute("create or replace table _build_ref (ref_date date)")
        con.execute("insert into _build_ref values (?)", [ref_date or date.today()])


def build_marts(con: duckdb.DuckDBPyConnection, ref_date: date | None = None,
                sql_dir: Path | None = None) -> dict[str, int]:
    """Run the mart SQL files in dependency order on ``con``; return {mart table: row count}."""
    sql_dir = sql_dir or paths.SQL_DIR
    ensure_build_ref(con, ref_date)
    counts: dict[str, int] = {}
    for step in INTERMEDIATE:  # shared building blocks of several marts (not read by pages)
        run_sql(con, step, sql_dir=sql_dir)
    # the path marts need the path dimensions; a connection without them (an organisation-mart fixture) skips them,
    # a build always has them (checks.check_marts blocks when a path mart is missing)
    paths_ready = _table_exists(con, "dim_service_path")
    for mart in MART_ORDER + (PATH_MART_ORDER if paths_ready else ()):
        run_sql(con, mart, sql_dir=sql_dir)
        if not mart.startswith("mart_"):
            continue
        counts[mart] = con.execute(f'select count(*) from "{mart}"').fetchone()[0]
    return counts
