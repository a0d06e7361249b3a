"""The ETL's one SQL-file runner (etl.sqlrun) and the naming rule of the core SQL files."""
from __future__ import annotations

import re

import duckdb
import pytest

from etl import paths
from etl.sqlrun import render_sql, run_sql


def test_render_sql_replaces_fragments_and_rejects_missing_or_unused_ones():
    assert render_sql("select {{ a }} + {{b}}, {{ a }}", {"a": "1", "b": "2"}) == "select 1 + 2, 1"
    assert render_sql("select 1") == "select 1"
    with pytest.raises(ValueError, match=r"missing: \['b'\]"):
        render_sql("select {{ a }}, {{ b }}", {"a": "1"})
    with pytest.raises(ValueError, match=r"not used: \['c'\]"):
        render_sql("select {{ a }}", {"a": "1", "c": "3"})


def test_run_sql_binds_named_parameters_and_fragments(tmp_path):
    (tmp_path / "t_x.sql").write_text(
        "create or replace table t_x as select $flag as flag, {{ n }} as n, $name as name", encoding="utf-8")
    con = duckdb.connect()
    run_sql(con, "t_x", params={"flag": True, "name": "O'Brien"}, fragments={"n": "41 + 1"}, sql_dir=tmp_path)
    assert con.execute("select flag, n, name from t_x").fetchall() == [(True, 42, "O'Brien")]


def test_each_core_sql_file_builds_the_table_it_is_named_after():
    files = sorted(paths.SQL_DIR.glob("core_*.sql"))
    assert len(files) >= 17
    built = re.compile(r'create\s+or\s+replace\s+(?:temp\s+)?table\s+"?(\w+)"?', re.IGNORECASE)
    for f in files:
        tables = built.findall(f.read_text(encoding="utf-8"))
        name = f.stem.removeprefix("core_")
        assert tables in ([name], [f"_core_{name}"]), (f.name, tables)
