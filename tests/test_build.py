"""End-to-end build: demo inputs -> warehouse; accounting, checks, atomic swap, idempotence, CLI errors."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl.build import build
from etl.context import EtlError

ROOT = Path(__file__).resolve().parent.parent


def _q(db: Path, sql: str, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_demo_build_metadata_and_accounting(demo_warehouse):
    (is_demo, stats, checks, warnings) = _q(demo_warehouse, "select is_demo, load_stats, checks, warnings "
                                                            "from _meta_build")[0]
    assert is_demo is True
    stats = json.loads(stats)
    assert {s["source"] for s in stats} >= {"statfi", "need", "ptv", "ytj", "stea", "lahella", "template"}
    for s in stats:
        assert s["read"] == s["loaded"] + s["quarantined"], s
    q_by_source = dict(_q(demo_warehouse, "select source, count(*) from quarantine group by source"))
    for s in stats:
        assert q_by_source.get(s["source"], 0) == s["quarantined"], s["source"]
    failed = [c for c in json.loads(checks) if not c["ok"] and c["severity"] == "block"]
    assert failed == []
    assert _q(demo_warehouse, "select count(*) from area")[0][0] == 22
    assert _q(demo_warehouse, "select count(*) from municipality where not is_aland")[0][0] == 292


def test_planted_demo_defects_are_quarantined_with_reasons(demo_warehouse):
    reasons = {r[0] for r in _q(demo_warehouse, "select distinct reason_code from quarantine")}
    assert "unknown_municipality" in reasons
    assert "outside_frame" in reasons
    msg = _q(demo_warehouse, "select message from quarantine where reason_code = 'unknown_municipality' limit 1")[0][0]
    assert "closest" in msg or "no close match" in msg
    for (file, ref) in _q(demo_warehouse, "select file, record_ref from quarantine"):
        assert file and ref


def test_demo_flag_in_sources_and_every_org_is_marked(demo_warehouse):
    assert _q(demo_warehouse, "select count(*) from _meta_sources where source_id = 'demo'")[0][0] > 0
    assert _q(demo_warehouse, "select bool_and(is_demo) from organisation")[0][0] is True


def _small_demo(tmp_path_factory, offline_dir, reference_dir) -> Path:
    from etl import demo
    d = tmp_path_factory.mktemp("mini") / "demo"
    demo.generate(d, scale=0.03, seed=3, offline_dir=offline_dir, reference_dir=reference_dir, progress=False)
    return d


@pytest.fixture(scope="module")
def mini_demo(tmp_path_factory, offline_dir, reference_dir):
    return _small_demo(tmp_path_factory, offline_dir, reference_dir)


def _build(db, offline_dir, reference_dir, demo_dir, **kw):
    return build(db_path=db, offline_dir=offline_dir, reference_dir=reference_dir, org_dirs=[demo_dir],
                 is_demo=True, progress=False, log=lambda *a, **k: None, **kw)


def test_rebuild_is_idempotent_and_skips_when_unchanged(tmp_path, offline_dir, reference_dir, mini_demo):
    db = tmp_path / "w.duckdb"
    _build(db, offline_dir, reference_dir, mini_demo)
    first = _q(db, "select org_id, name from organisation order by org_id")
    first_marts = _q(db, "select * from mart_area_metrics order by all")
    again = _build(db, offline_dir, reference_dir, mini_demo)
    assert again.skipped
    _build(db, offline_dir, reference_dir, mini_demo, force=True)
    assert _q(db, "select org_id, name from organisation order by org_id") == first
    assert _q(db, "select * from mart_area_metrics order by all") == first_marts


def _rewrite_keeping_size_and_time(f: Path, old: bytes, new: bytes) -> None:
    """Change a file's content while its size and modification time stay as they were (what a restore, a
    checkout or a copy with preserved times can do): a fingerprint of names, sizes and times cannot see it."""
    assert len(old) == len(new)
    st = f.stat()
    data = f.read_bytes()
    assert old in data
    f.write_bytes(data.replace(old, new, 1))
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert f.stat().st_size == st.st_size and f.stat().st_mtime_ns == st.st_mtime_ns


def test_changed_input_rebuilds_even_with_same_size_and_time(tmp_path, offline_dir, reference_dir, mini_demo):
    demo_dir = tmp_path / "demo"
    shutil.copytree(mini_demo, demo_dir)
    db = tmp_path / "w.duckdb"
    _build(db, offline_dir, reference_dir, demo_dir)
    csv = next((demo_dir / "template").glob("*.csv"))
    names = [r.split(";")[2] for r in csv.read_text(encoding="utf-8-sig").splitlines()[1:]]
    name = next(n for n in names if n[-1:].isascii() and n[-1:].isalpha())      # one byte to change
    assert _q(db, "select count(*) from stg_template__activity where name_fi = ?", [name])[0][0] >= 1
    changed = name[:-1] + ("x" if name[-1] != "x" else "y")
    os.utime(csv)                                 # a touch alone: same content, nothing to rebuild
    assert _build(db, offline_dir, reference_dir, demo_dir).skipped
    _rewrite_keeping_size_and_time(csv, f";{name};".encode(), f";{changed};".encode())
    again = _build(db, offline_dir, reference_dir, demo_dir)
    assert not again.skipped
    assert _q(db, "select count(*) from stg_template__activity where name_fi = ?", [changed])[0][0] >= 1
    assert _q(db, "select sha256 from _meta_files where file = ?", [csv.name])[0][0] == _sha(csv)


def test_changed_code_rebuilds_without_git(tmp_path, offline_dir, reference_dir, mini_demo):
    """A tarball deployment (no .git, so no commit to compare) or a dirty tree: the same inputs, an edited SQL
    file -> the next build must not be skipped; unchanged code -> skipped."""
    proj = tmp_path / "proj"
    shutil.copytree(ROOT / "etl", proj / "etl", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(mini_demo, proj / "data" / "demo")
    db = tmp_path / "w.duckdb"
    env = {"PATH": "/usr/bin:/bin", "JARJESTOKARTTA_DB": str(db), "JARJESTOKARTTA_OFFLINE_DIR": str(offline_dir),
           "JARJESTOKARTTA_REFERENCE_DIR": str(reference_dir), "GIT_CEILING_DIRECTORIES": str(tmp_path)}

    def run_build() -> str:
        r = subprocess.run([sys.executable, "-m", "etl", "build", "--demo", "--no-progress"], cwd=proj, env=env,
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
        return _q(db, "select build_id from _meta_build")[0][0]

    first = run_build()
    assert run_build() == first                   # unchanged: skipped, the same build
    sql = proj / "etl" / "sql" / "mart_white_spot.sql"
    sql.write_text(sql.read_text(encoding="utf-8") + "\n-- edited after the commit\n", encoding="utf-8")
    assert run_build() != first


def test_failed_blocking_check_keeps_the_old_warehouse(tmp_path, offline_dir, reference_dir, mini_demo):
    db = tmp_path / "w.duckdb"
    _build(db, offline_dir, reference_dir, mini_demo)
    before = _sha(db)
    bad_ref = tmp_path / "ref"
    shutil.copytree(reference_dir, bad_ref)
    csv = bad_ref / "geo" / "wellbeing_regions.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",67723,", ",67724,"), encoding="utf-8")
    with pytest.raises(EtlError, match="area_population_reference"):
        _build(db, offline_dir, bad_ref, mini_demo, force=True)
    assert _sha(db) == before
    assert not list(tmp_path.glob(".w.duckdb.*.tmp"))


def test_cli_names_missing_input_and_exits_nonzero(tmp_path):
    env = {"JARJESTOKARTTA_OFFLINE_DIR": str(tmp_path / "nowhere"), "JARJESTOKARTTA_DB": str(tmp_path / "x.duckdb"),
           "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "etl", "build", "--demo", "--no-progress"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "error:" in r.stdout
    assert not (tmp_path / "x.duckdb").exists()


def test_cli_check_without_warehouse(tmp_path):
    env = {"JARJESTOKARTTA_DB": str(tmp_path / "none.duckdb"), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-m", "etl", "check"], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 1 and "python -m etl all" in r.stdout


def test_build_connection_has_a_memory_limit_and_a_spill_folder(tmp_path, monkeypatch):
    from etl.build import DEFAULT_MEMORY_LIMIT, connect_build
    monkeypatch.delenv("JARJESTOKARTTA_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("JARJESTOKARTTA_DUCKDB_TEMP_DIR", raising=False)
    con, spill = connect_build(tmp_path / ".w.duckdb.1.tmp")
    plain = duckdb.connect()
    try:   # unset: the build's own default of 768MB (DuckDB shows it in MiB), not DuckDB's 80% of RAM
        assert DEFAULT_MEMORY_LIMIT == "768MB"
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "732.4 MiB"
        assert con.execute("select current_setting('memory_limit')").fetchone() != \
            plain.execute("select current_setting('memory_limit')").fetchone()
        assert con.execute("select current_setting('temp_directory')").fetchone()[0] == str(spill)
        assert spill == tmp_path / ".w.duckdb.1.tmp.spill"
    finally:
        con.close()
        plain.close()
    monkeypatch.setenv("JARJESTOKARTTA_DUCKDB_MEMORY_LIMIT", "300MB")
    monkeypatch.setenv("JARJESTOKARTTA_DUCKDB_TEMP_DIR", str(tmp_path / "elsewhere"))
    con, spill = connect_build(tmp_path / "x.duckdb")
    try:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "286.1 MiB"
        assert spill == tmp_path / "elsewhere"
    finally:
        con.close()


def test_build_leaves_no_spill_folder(tmp_path, offline_dir, reference_dir, mini_demo, monkeypatch):
    monkeypatch.setenv("JARJESTOKARTTA_DUCKDB_MEMORY_LIMIT", "200MB")   # small: large statements spill
    db = tmp_path / "w.duckdb"
    _build(db, offline_dir, reference_dir, mini_demo)
    assert db.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb"]


# --- the loaders in a child process (etl/loaders.py: large inputs, memory returned when the child exits) ---------

@pytest.mark.parametrize("split", ["", "0"])   # PTV and the others in two children at once / all in one child
def test_loaders_in_a_child_process_build_the_same_warehouse(tmp_path, offline_dir, reference_dir, mini_demo,
                                                             monkeypatch, split):
    from bench.compare_warehouses import compare
    from etl import loaders
    monkeypatch.setenv("JARJESTOKARTTA_LOADERS_PROCESS", "self")
    here = _build(tmp_path / "self" / "w.duckdb", offline_dir, reference_dir, mini_demo)
    monkeypatch.setenv("JARJESTOKARTTA_LOADERS_PROCESS", "child")
    monkeypatch.setenv("JARJESTOKARTTA_LOADERS_SPLIT", split)
    children: list[list[str]] = []
    start = loaders._start
    monkeypatch.setattr(loaders, "_start", lambda db, config, ctx, names, *a: children.append(names) or
                        start(db, config, ctx, names, *a))
    lines: list[str] = []
    child = build(db_path=tmp_path / "child" / "w.duckdb", offline_dir=offline_dir, reference_dir=reference_dir,
                  org_dirs=[mini_demo], is_demo=True, progress=False, log=lines.append)
    assert compare(str(here.db_path), str(child.db_path)) == []
    # the same quarantine rows in the same order, and the same record balance per source
    order = "select source, file, record_ref, reason_code, message, raw from quarantine order by rowid"
    assert _q(child.db_path, order) == _q(here.db_path, order)
    assert len(_q(child.db_path, order)) > 0
    assert [(s.source, s.read, s.loaded, s.quarantined) for s in child.stats] == \
        [(s.source, s.read, s.loaded, s.quarantined) for s in here.stats]
    assert [s.source for s in child.stats] == ["statfi", "need", "ptv", "ytj", "stea", "lahella", "template"]
    assert all(s.seconds > 0 for s in child.stats)
    assert any(line.endswith("(child process)") for line in lines)
    assert sum(line.startswith("ptv: read ") for line in lines) == 1
    assert sorted(p.name for p in child.db_path.parent.iterdir()) == ["w.duckdb"]   # no job folder left
    assert children == ([["ptv"], ["ytj", "stea", "lahella", "template"]] if split == "" else
                        [["ptv", "ytj", "stea", "lahella", "template"]])


def test_the_loaders_split_in_two_children_with_ptv_and_another_loader_up_to_a_size(monkeypatch):
    from etl.loaders import SPLIT_MAX_BYTES, split
    names = ["ptv", "ytj", "stea"]
    monkeypatch.delenv("JARJESTOKARTTA_LOADERS_SPLIT", raising=False)
    assert split(names, names, SPLIT_MAX_BYTES) == (["ptv"], ["ytj", "stea"])
    assert split(names, ["ptv", "stea"]) == (["ptv"], ["ytj", "stea"])   # ytj makes its empty tables beside
    assert split(names, names, SPLIT_MAX_BYTES + 1) is None   # PTV keeps the cores busy alone: one child
    assert split(names, ["ptv"]) is None
    assert split(names, ["ytj", "stea"]) is None
    assert split(["ytj", "ptv"], ["ytj", "ptv"]) is None   # PTV's rows would no longer come first
    monkeypatch.setenv("JARJESTOKARTTA_LOADERS_SPLIT", "1")
    assert split(names, names, SPLIT_MAX_BYTES + 1) == (["ptv"], ["ytj", "stea"])
    monkeypatch.setenv("JARJESTOKARTTA_LOADERS_SPLIT", "0")
    assert split(names, names) is None
    monkeypatch.setenv("JARJESTOKARTTA_LOADERS_SPLIT", "yes")
    with pytest.raises(EtlError, match="JARJESTOKARTTA_LOADERS_SPLIT='yes': expected '0' or '1'"):
        split(names, names)


def test_a_failing_loaders_child_ends_the_other_and_its_error_is_raised(tmp_path, offline_dir, reference_dir):
    import signal
    import subprocess
    import sys
    from etl import loaders
    from etl.context import BuildContext
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    failing = subprocess.Popen([sys.executable, "-c", "raise SystemExit(1)"])
    assert loaders._stop_others_on_failure([(sleeper, tmp_path / "a"), (failing, tmp_path / "b")]) == {0}
    assert sleeper.returncode == -signal.SIGTERM
    # through load_in_children: the second child's loader is missing; the error is that one, nothing is left over
    ctx = BuildContext(offline_dir=offline_dir, reference_dir=reference_dir, org_dirs=[], progress=False)
    db = tmp_path / "w" / "w.duckdb"
    db.parent.mkdir()
    config = {"temp_directory": str(tmp_path / "w" / "w.duckdb.spill")}
    with pytest.raises(EtlError, match=r"^loader etl\.load\.nosuch is not installed"):
        loaders.load_in_children(db, config, ctx, (["ptv"], ["nosuch"]), ["ptv", "nosuch"])
    assert not loaders.side_file(db).exists()
    assert not (tmp_path / "w" / "w.duckdb.spill.side").exists()
    assert ctx.quarantine.rows == []


def test_an_error_in_the_loaders_child_is_raised_in_the_build(tmp_path, offline_dir, reference_dir, monkeypatch):
    import sys
    from etl import loaders
    from etl.context import BuildContext
    ctx = BuildContext(offline_dir=offline_dir, reference_dir=reference_dir, org_dirs=[], progress=False)
    ctx.quarantine.add("ptv", "a.json", "x", "missing_field", "set aside before the child")
    with pytest.raises(EtlError, match=r"^loader etl\.load\.nosuch is not installed"):
        loaders.load_in_child(tmp_path / "w.duckdb", {}, ctx, ["nosuch"], ["nosuch"])
    assert [p.name for p in tmp_path.iterdir()] == ["w.duckdb"]   # the child's job folder is gone
    # nothing to load: nothing back, and the row the parent had is not added twice
    assert loaders.load_in_child(tmp_path / "w.duckdb", {}, ctx, [], []) == ([], {})
    assert [r["message"] for r in ctx.quarantine.rows] == ["set aside before the child"]
    # a child that ends without its result (killed when out of memory, say) is named as such
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(EtlError, match="the loaders' process ended with exit code 1 before it finished"):
        loaders.load_in_child(tmp_path / "w.duckdb", {}, ctx, [], [])


def test_loaders_run_in_a_child_by_input_size_or_as_told(tmp_path, monkeypatch):
    from etl import loaders
    org, other = tmp_path / "org", tmp_path / "statfi"
    org.mkdir()
    other.mkdir()
    (org / "a.json").write_bytes(b"x" * 600)
    (other / "big.json").write_bytes(b"x" * 5000)      # geography: not an organisation input
    files = [org / "a.json", other / "big.json"]
    monkeypatch.delenv("JARJESTOKARTTA_LOADERS_PROCESS", raising=False)
    assert loaders.input_bytes(files, [org]) == 600
    monkeypatch.setattr(loaders, "CHILD_MIN_BYTES", 601)
    assert loaders.in_child(loaders.input_bytes(files, [org])) is False
    monkeypatch.setattr(loaders, "CHILD_MIN_BYTES", 600)
    assert loaders.in_child(loaders.input_bytes(files, [org])) is True
    monkeypatch.setenv("JARJESTOKARTTA_LOADERS_PROCESS", "self")
    assert loaders.in_child(loaders.input_bytes(files, [org])) is False
    monkeypatch.setenv("JARJESTOKARTTA_LOADERS_PROCESS", "Child")
    monkeypatch.setattr(loaders, "CHILD_MIN_BYTES", 10 ** 9)
    assert loaders.in_child(loaders.input_bytes(files, [org])) is True
    monkeypatch.setenv("JARJESTOKARTTA_LOADERS_PROCESS", "fork")
    with pytest.raises(EtlError, match="JARJESTOKARTTA_LOADERS_PROCESS='fork': expected 'child' or 'self'"):
        loaders.in_child(loaders.input_bytes(files, [org]))
