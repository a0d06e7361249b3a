"""The ETL benchmark's growth figures (no timing is asserted: only the arithmetic of the printed ratios)."""
from __future__ import annotations

import pytest

from bench.bench_etl import _growth, growth_rows
from bench.common import Results


def test_growth_is_per_ten_times_of_data():
    assert _growth(3.0, 30.0, 10, 100) == pytest.approx(10.0)       # linear
    assert _growth(3.0, 38.0, 10, 100) == pytest.approx(38 / 3)     # 12.7x: faster than linear
    assert _growth(1.0, 100.0, 1, 100) == pytest.approx(10.0)       # 100x over 100x of data is 10x per 10x
    assert _growth(2.0, 4.0, 1, 10) == pytest.approx(2.0)
    assert _growth(0.0, 4.0, 1, 10) is None and _growth(2.0, 4.0, 10, 10) is None


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


def test_run_child_peak_counts_forked_pages_once_until_they_are_written():
    """Forked PTV workers share their parent's pages until they write them: the tree's peak is the sum of PSS, so
    300 MB shared by a parent and its forked child counts once, and twice once the child has written its copy."""
    from bench.common import run_child
    code = """
import json, os, sys, time
held = bytearray(300 * 2**20)
for i in range(0, len(held), 4096): held[i] = 1
pid = os.fork()
if pid == 0:
    if sys.argv[1] and json.loads(sys.argv[1]).get("write"):
        for i in range(0, len(held), 4096): held[i] = 2   # the child's own copy of every page
    time.sleep(1.5)
    os._exit(0)
os.waitpid(pid, 0)
json.dump({"ok": True}, open(json.loads(sys.argv[1])["result_file"], "w"))
"""
    shared, written = run_child(code, {}), run_child(code, {"write": True})
    assert shared.returncode == written.returncode == 0
    assert 300 <= shared.maxrss_mb < 450
    assert written.maxrss_mb >= 600
