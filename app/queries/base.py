"""What every query module shares: the metric lists, the SQL fragments that pick a metric column or a name in the
chosen language, the cursor and the one runner `_df`.

SQL in lower case, values always bound as named parameters (`$lang`, `$area`, … from a dict; never formatted into
the text), one cursor per query so a shared read-only connection can serve several sessions. No streamlit import.
"""
from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

# The metrics a user can choose, in display order, with how their values are shown.
METRICS: dict[str, dict[str, Any]] = {
    "activities": {"kind": "count", "decimals": 0},
    "orgs_active": {"kind": "count", "decimals": 0},
    "orgs_registered": {"kind": "count", "decimals": 0},
    "rate_per_10k": {"kind": "rate", "decimals": 2},
    "orgs_active_per_10k": {"kind": "rate", "decimals": 2},
    "orgs_registered_per_10k": {"kind": "rate", "decimals": 2},
    "rate_per_1k_band": {"kind": "rate", "decimals": 3},
    "lq": {"kind": "ratio", "decimals": 2},
    "coverage_muni_share": {"kind": "share", "decimals": 0},
    "coverage_pop_share": {"kind": "share", "decimals": 0},
}
MATRIX_METRICS = ("rate_per_10k", "lq", "coverage_muni_share", "coverage_pop_share", "activities")
MUNICIPALITY_METRICS = ("activities", "in_person_activities", "orgs_active", "orgs_registered", "rate_per_10k",
                        "rate_per_1k_band", "lq")
ALL = "_all"
# Each figure carries the small-number flag of its own numerator and denominator (docs/methods.md); the metrics not
# listed rest on the activity count and the whole population (`small_number`).
METRIC_FLAGS: dict[str, str] = {
    "orgs_active": "small_number_orgs_active", "orgs_active_per_10k": "small_number_orgs_active",
    "orgs_registered": "small_number_orgs_registered", "orgs_registered_per_10k": "small_number_orgs_registered",
    "rate_per_1k_band": "small_number_band",
}

# `case $metric` picks the metric column from a fixed list; the choice is a bound value, never SQL text.
_AREA_METRIC_CASE = "case $metric " + " ".join(f"when '{m}' then {m}::double" for m in METRICS) + " end"
_MUNI_METRIC_CASE = "case $metric " + " ".join(f"when '{m}' then {m}::double" for m in MUNICIPALITY_METRICS) + " end"
_FLAG_CASE = ("case $metric " + " ".join(f"when '{m}' then {{p}}{f}" for m, f in METRIC_FLAGS.items())
              + " else {p}small_number end")
_NAME = "case $lang when 'sv' then coalesce({p}name_sv, {p}name_fi) when 'en' then coalesce({p}name_en, {p}name_fi) else {p}name_fi end"
_LABEL = "case $lang when 'sv' then coalesce({p}label_sv, {p}label_fi) when 'en' then coalesce({p}label_en, {p}label_fi) else {p}label_fi end"


def _cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor that reads the warehouse. app.db.connect attaches the file as catalog `warehouse` into an in-memory
    database and `use`s it, but a cursor starts in the default catalog (`memory`): switch it over. A plain
    connection to the file (tests, tools) has no such catalog and needs nothing."""
    cur = con.cursor()
    names = cur.execute("select database_name from duckdb_databases() where database_name = 'warehouse'").fetchall()
    if names:
        cur.execute("use warehouse")
    return cur


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run one statement with named parameters (`$name` in the SQL, a key of `params`: DuckDB wants exactly the
    names the statement uses)."""
    cur = _cursor(con)
    try:
        return (cur.execute(sql, params) if params else cur.execute(sql)).df()
    finally:
        cur.close()


def check_metric(metric: str, allowed=METRICS) -> str:
    if metric not in allowed:
        raise ValueError(f"unknown metric {metric!r}")
    return metric
