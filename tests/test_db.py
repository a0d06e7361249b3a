"""The app's connection: read-only, and a rebuild (atomic replace) is seen by the next connection."""
from __future__ import annotations

import os

import duckdb
import pytest

from app import db


def _make(path, value: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("create table _meta_build as select ? as build_id", [f"b{value}"])
    con.close()


def test_new_connection_sees_the_replaced_file_while_old_one_is_open(tmp_path):
    live, new = tmp_path / "w.duckdb", tmp_path / "new.duckdb"
    _make(live, 1)
    _make(new, 2)
    old = db.connect(live)
    assert old.execute("select build_id from _meta_build").fetchone() == ("b1",)
    os.replace(new, live)
    fresh = db.connect(live)
    assert fresh.execute("select build_id from _meta_build").fetchone() == ("b2",)
    assert old.execute("select build_id from _meta_build").fetchone() == ("b1",)  # old snapshot keeps serving
    old.close()
    fresh.close()


def test_connection_cannot_write(tmp_path):
    live = tmp_path / "w.duckdb"
    _make(live, 1)
    con = db.connect(live)
    with pytest.raises(duckdb.Error):
        con.execute("create table warehouse.x as select 1")
    with pytest.raises(duckdb.Error):
        con.execute("delete from _meta_build")
    con.close()


def test_path_with_quote_is_quoted(tmp_path):
    d = tmp_path / "o'brien"
    d.mkdir()
    _make(d / "w.duckdb", 3)
    con = db.connect(d / "w.duckdb")
    assert con.execute("select build_id from _meta_build").fetchone() == ("b3",)
    con.close()


@pytest.mark.parametrize("sql", [
    "select * from read_csv('/etc/passwd')",
    "select * from read_text('/etc/passwd')",
    "copy _meta_build to '{tmp}/out.csv'",
    "attach '{tmp}/other.duckdb' as other",
    "set threads = 1",
    "set enable_external_access = true",
    "set lock_configuration = false",
    "reset lock_configuration",
    "pragma threads = 1",
])
def test_connection_is_closed_to_files_and_locked(tmp_path, sql):
    live = tmp_path / "w.duckdb"
    _make(live, 1)
    con = db.connect(live)
    with pytest.raises(duckdb.Error):
        con.execute(sql.format(tmp=tmp_path))
    assert not (tmp_path / "out.csv").exists()
    # a cursor (what app.queries uses) is locked the same way and still reads the warehouse
    cur = con.cursor()
    cur.execute("use warehouse")
    assert cur.execute("select build_id from _meta_build").fetchone() == ("b1",)
    with pytest.raises(duckdb.Error):
        cur.execute("select * from read_csv('/etc/passwd')")
    with pytest.raises(duckdb.Error):
        cur.execute("set threads = 1")
    con.close()
