"""The ETL's one SQL-file runner (etl.sqlrun) and the naming rule of the core SQL files."""
from __future__ import annotations

import re

import duckdb
import pytest

from etl import paths, sqlrun
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


def test_a_file_that_runs_out_of_memory_runs_again_with_a_doubled_limit(tmp_path, caplog):
    """A `list()` over 3 million integers cannot spill: under an 8 MiB limit it runs out of memory, and the file
    runs again with the limit doubled until it fits; the table is built and the raise is logged."""
    (tmp_path / "big_list.sql").write_text(
        "create or replace table big_list as select count(*) as n, list(i)[3000000] as last "
        "from range(3000000) t(i);", encoding="utf-8")
    con = duckdb.connect(config={"memory_limit": "8MiB", "threads": 1})
    with caplog.at_level("WARNING", logger="etl.sqlrun"):
        run_sql(con, "big_list", sql_dir=tmp_path)
    assert con.execute("select n, last from big_list").fetchone() == (3_000_000, 2_999_999)
    raised = [r.getMessage() for r in caplog.records if "ran out of memory" in r.getMessage()]
    assert raised and raised[0].startswith("big_list.sql ran out of memory at DuckDB memory_limit 8.0 MiB")
    assert con.execute("select current_setting('memory_limit')").fetchone()[0] != "8.0 MiB"


def test_out_of_memory_at_the_ceiling_is_raised(tmp_path, monkeypatch):
    (tmp_path / "big_list.sql").write_text(
        "create or replace table big_list as select list(i) as l from range(3000000) t(i);", encoding="utf-8")
    monkeypatch.setattr(sqlrun, "memory_ceiling", lambda: 8 * 2**20)
    con = duckdb.connect(config={"memory_limit": "8MiB", "threads": 1})
    with pytest.raises(duckdb.OutOfMemoryException):
        run_sql(con, "big_list", sql_dir=tmp_path)
