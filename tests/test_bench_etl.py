"""The ETL benchmark's growth figures (no timing is asserted: only the arithmetic of the printed ratios)."""
from __future__ import annotations

import pytest

from bench.bench_etl import _growth, growth_rows, loading_seconds
from bench.common import Results


def test_growth_is_per_ten_times_of_data():
    assert _growth(3.0, 30.0, 10, 100) == pytest.approx(10.0)       # linear
    assert _growth(3.0, 38.0, 10, 100) == pytest.approx(38 / 3)     # 12.7x: faster than linear
    assert _growth(1.0, 100.0, 1, 100) == pytest.approx(10.0)       # 100x over 100x of data is 10x per 10x
    assert _growth(2.0, 4.0, 1, 10) == pytest.approx(2.0)
    assert _growth(0.0, 4.0, 1, 10) is None and _growth(2.0, 4.0, 10, 10) is None


def test_loading_is_the_build_less_its_core_and_mart_steps():
    steps = {"statfi": 0.4, "need": 0.3, "ptv": 35.2, "ytj": 3.3, "stea": 2.2, "lahella": 2.2, "template": 2.6,
             "harmonise": 7.2, "public_services": 0.1, "marts": 10.8}
    # the loaders ran at the same time (ptv beside the others): the build's time less the core and mart steps
    assert loading_seconds(57.9, steps) == pytest.approx(57.9 - 18.1)
    assert loading_seconds(3.5, {"harmonise": 1.0, "marts": 2.0}) == pytest.approx(0.5)


def test_growth_rows_compare_build_with_raw_readers():
    res = Results()
    growth_rows({1.0: {"build_s": 5.0, "build_mb": 400, "build_cpu_s": 6, "raw_s": 1.0, "raw_mb": 300,
                       "raw_cpu_s": 2},
                 10.0: {"build_s": 60.0, "build_mb": 1200, "build_cpu_s": 66, "raw_s": 8.0, "raw_mb": 600,
                        "raw_cpu_s": 16}}, res)
    by_figure = {r.figure: r for r in res.rows}
    t = by_figure["build time growth per 10× of data (scale 1 → 10)"]
    assert (t.value, t.reference, t.ratio) == (pytest.approx(12.0), pytest.approx(8.0), pytest.approx(1.5))
    assert by_figure["build peak RSS growth per 10× of data (scale 1 → 10)"].value == pytest.approx(3.0)
    assert "scale 10: 60.0 s, 1,200 MB" in by_figure["build time and peak by scale"].note


def test_run_child_peak_counts_a_process_and_its_child_together():
    """A build that loads in a process of its own is charged for both: the peak is the tree's, not the largest
    single process's (which is all os.wait4's ru_maxrss gives)."""
    from bench.common import run_child
    code = """
import json, subprocess, sys, time
held = bytearray(300 * 2**20)
for i in range(0, len(held), 4096): held[i] = 1          # resident, not only reserved
grandchild = subprocess.Popen([sys.executable, "-c",
    "import time; b = bytearray(300 * 2**20)\\nfor i in range(0, len(b), 4096): b[i] = 1\\ntime.sleep(1.5)"])
grandchild.wait()
json.dump({"ok": True}, open(json.loads(sys.argv[1])["result_file"], "w"))
"""
    run = run_child(code, {})
    assert run.returncode == 0 and run.result == {"ok": True}
    assert run.maxrss_mb >= 600   # 300 MB here + 300 MB in the grandchild at the same time


def test_tree_memory_is_the_sum_of_pss_and_skips_readings_it_cannot_trust(monkeypatch):
    """A process alone: its RSS. Several: the sum of their PSS (pages shared by forked processes counted once). A
    reading where one process's PSS cannot be read while the others' can (starting or exiting) is skipped, rather
    than adding that process's RSS, which counts the shared pages again; without any PSS (a kernel without
    smaps_rollup), the sum of RSS."""
    from bench import common
    rss = {1: 310.0, 2: 305.0, 3: 50.0}
    pss = {1: 160.0, 2: 155.0, 3: 50.0}
    monkeypatch.setattr(common, "rss_mb", lambda pid: rss.get(pid))
    monkeypatch.setattr(common, "pss_mb", lambda pid: pss.get(pid))
    monkeypatch.setattr(common, "_tree", lambda pid: [1])
    assert common.tree_memory_mb(1) == 310.0
    monkeypatch.setattr(common, "_tree", lambda pid: [1, 2, 3])
    assert common.tree_memory_mb(1) == 365.0
    del pss[2]
    assert common.tree_memory_mb(1) is None
    pss.clear()
    assert common.tree_memory_mb(1) == 665.0


def test_pss_of_a_live_process_is_read_and_of_a_gone_one_is_none():
    import os
    import subprocess
    import sys
    from bench.common import pss_mb, rss_mb
    here = pss_mb(os.getpid())
    assert here is not None and 0 < here <= (rss_mb(os.getpid()) or 0) + 1
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert pss_mb(gone.pid) is None
