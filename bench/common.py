"""Shared helpers for the benchmarks: timing, child processes with peak memory, a Streamlit server, results.

Every benchmark records figures as `Row`s: the measured value beside a reference measured in the same run, their
ratio, and the target as text. Nothing here passes or fails on time; the figures are printed and written down.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
CHROMIUM = os.environ.get("JARJESTOKARTTA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# -- figures -------------------------------------------------------------------------------------------------------

@dataclass
class Row:
    benchmark: str
    scale: float | None
    figure: str
    value: float | None
    unit: str = ""
    reference: float | None = None
    reference_label: str = ""
    target: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or self.reference in (None, 0):
            return None
        return self.value / self.reference

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        return d


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, *args: Any, **kw: Any) -> Row:
        row = Row(*args, **kw)
        self.rows.append(row)
        print("  " + format_row(row), flush=True)
        return row


def _num(v: float | None, unit: str = "") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if unit == "s":
        return f"{v:.3f} s" if v < 10 else f"{v:.1f} s"
    if unit == "MB":
        return f"{v:,.0f} MB"
    if unit == "bytes":
        return f"{v / 1024:,.1f} KiB" if v < 1 << 20 else f"{v / (1 << 20):,.2f} MiB"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,.3g} {unit}".strip()
    return f"{int(v):,} {unit}".strip()


def format_row(r: Row) -> str:
    ref = f"{_num(r.reference, r.unit)} ({r.reference_label})" if r.reference is not None else "–"
    ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "–"
    scale = "" if r.scale is None else f"scale {r.scale:g} "
    note = f" [{r.note}]" if r.note else ""
    return (f"{r.benchmark:8s} {scale}{r.figure}: {_num(r.value, r.unit)} | ref {ref} | ratio {ratio} | "
            f"target {r.target or '–'}{note}")


def environment() -> dict[str, Any]:
    info: dict[str, Any] = {"python": sys.version.split()[0], "platform": platform.platform(),
                            "cpus": os.cpu_count()}
    with contextlib.suppress(Exception):
        info["mem_total_mb"] = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    for mod in ("streamlit", "duckdb", "pandas", "plotly", "playwright"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version
            info[mod] = version(mod)
    with contextlib.suppress(Exception):
        info["git_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                                            capture_output=True, timeout=5).stdout.strip()
    return info


def write_results(res: Results, out_dir: Path, *, args: dict[str, Any]) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = dt.date.today().isoformat()
    env = environment()
    payload = {"date": stem, "written_at": dt.datetime.now().isoformat(timespec="seconds"), "args": args,
               "environment": env, "rows": [r.as_dict() for r in res.rows], "details": res.details,
               "errors": res.errors}
    jpath = out_dir / f"{stem}.json"
    jpath.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    mpath = out_dir / f"{stem}.md"
    mpath.write_text(markdown(res, env, args), encoding="utf-8")
    return jpath, mpath


def markdown_table(rows: Sequence[Row]) -> str:
    lines = ["| benchmark | scale | figure | value | reference | ratio | target |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        ref = f"{_num(r.reference, r.unit)} ({r.reference_label})" if r.reference is not None else "–"
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "–"
        fig = r.figure + (f" — {r.note}" if r.note else "")
        scale = "–" if r.scale is None else f"{r.scale:g}"
        lines.append(f"| {r.benchmark} | {scale} | {fig} | {_num(r.value, r.unit)} | {ref} | {ratio} | "
                     f"{r.target or '–'} |")
    return "\n".join(lines) + "\n"


def markdown(res: Results, env: dict[str, Any], args: dict[str, Any]) -> str:
    head = (f"# Benchmarks {dt.date.today().isoformat()}\n\n"
            "Each figure sits beside a reference measured in the same run on the same machine; targets are "
            "printed, never asserted.\n\n"
            f"Machine: {env.get('cpus')} CPUs, {env.get('mem_total_mb', '?')} MB RAM, {env.get('platform')}; "
            f"Python {env.get('python')}, streamlit {env.get('streamlit')}, duckdb {env.get('duckdb')}, "
            f"pandas {env.get('pandas')}, plotly {env.get('plotly')}, commit {env.get('git_commit')}.  \n"
            f"Arguments: `{json.dumps(args)}`\n\n")
    body = markdown_table(res.rows)
    if res.errors:
        body += "\n## Errors\n\n" + "\n".join(f"- {e}" for e in res.errors) + "\n"
    return head + body


# -- timing --------------------------------------------------------------------------------------------------------

def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear-interpolated percentile (p in 0..100); None for no values."""
    v = sorted(values)
    if not v:
        return None
    k = (len(v) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


@contextlib.contextmanager
def timer() -> Iterator[dict[str, float]]:
    box: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        yield box
    finally:
        box["seconds"] = time.perf_counter() - t0


# -- child processes with peak memory ------------------------------------------------------------------------------

@dataclass
class ChildRun:
    returncode: int
    wall_s: float
    maxrss_mb: float
    result: dict[str, Any]
    stderr_tail: str
    cpu_s: float = 0.0   # user + system CPU seconds of the child (all its threads): steadier than wall on a loaded machine


# the share of one core the tree sampler of run_child may take: reading PSS walks a process's page tables (about
# 20 ms for a 1 GB DuckDB process, 250 ms for DuckDB's JSON reader's 33 TB of reserved address space), so after a
# reading that took t seconds the next waits TREE_SAMPLE_SHARE * t (RSS of a process alone every 50 ms)
TREE_SAMPLE_SHARE = 20.0


def run_child(code: str, payload: dict[str, Any], *, env: dict[str, str] | None = None,
              timeout: float = 3600) -> ChildRun:
    """Run `python -c code` with `payload` as JSON in argv[1]; the child writes its own JSON result to the file
    named in payload["result_file"]. Peak RSS is the larger of that child's ru_maxrss from os.wait4 (per run, not
    the cumulative RUSAGE_CHILDREN maximum over the whole benchmark; for a child with children of its own it is the
    largest single process) and the child's process tree summed (:func:`tree_memory_mb` of it and its descendants,
    sampled every 50 ms, less often when a reading is slow: :data:`TREE_SAMPLE_SHARE`): a build that runs its loaders in a process of its own is charged for both processes
    together, and forked PTV workers for what they add, not again for the pages they share with their parent."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        result_file = f.name
    payload = {**payload, "result_file": result_file}
    full_env = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-c", code, json.dumps(payload)], cwd=ROOT, env=full_env,
                                stdout=subprocess.DEVNULL, stderr=err)
        deadline = t0 + timeout
        tree_peak = 0.0
        next_tree = 0.0   # when the tree may be measured again (a PSS reading of a large process is costly)
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter()
            if now >= next_tree:
                tree_peak = max(tree_peak, tree_memory_mb(proc.pid) or 0.0)
                took = time.perf_counter() - now
                next_tree = now + max(0.0, TREE_SAMPLE_SHARE * took)
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, ru = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        err.seek(0)
        tail = err.read()[-3000:]
    try:
        result = json.loads(Path(result_file).read_text() or "{}")
    except (OSError, json.JSONDecodeError):
        result = {}
    finally:
        Path(result_file).unlink(missing_ok=True)
    return ChildRun(proc.returncode, wall, max(ru.ru_maxrss / 1024, tree_peak), result, tail,
                    ru.ru_utime + ru.ru_stime)


# -- processes -----------------------------------------------------------------------------------------------------

def _proc_mb(path: str, key: str) -> float | None:
    """The kB figure on the line of /proc file `path` that starts with `key`, in MB; None when it cannot be read."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def rss_mb(pid: int) -> float | None:
    """Resident memory of one process (VmRSS), MB."""
    return _proc_mb(f"/proc/{pid}/status", "VmRSS:")


def tree_rss_mb(pid: int) -> float | None:
    """RSS of a process plus its descendants (streamlit has none normally; kept honest anyway)."""
    total = rss_mb(pid)
    if total is None:
        return None
    return total + sum(rss_mb(child) or 0 for child in _tree(pid)[1:])


def pss_mb(pid: int) -> float | None:
    """Proportional set size of one process (`Pss` of /proc/PID/smaps_rollup), MB: its resident pages, each page
    shared with n processes counted 1/n. For a process alone this is its RSS; for forked workers, whose pages are
    their parent's until written, the sum over the processes is the memory they really hold (a sum of RSS counts
    the shared pages once per process). None when it cannot be read (no such file, or the process is exiting)."""
    return _proc_mb(f"/proc/{pid}/smaps_rollup", "Pss:")


def tree_memory_mb(pid: int) -> float | None:
    """The memory of a process and its descendants: the RSS of a process alone (cheap), else the sum of their
    :func:`pss_mb` (each shared page once). None for a reading to skip: a process of the tree whose PSS cannot be
    read while the others' can (it is starting or exiting: its RSS would count the shared pages again); the sum of
    RSS where no PSS can be read at all (a kernel without smaps_rollup)."""
    procs = _tree(pid)
    if len(procs) == 1:
        return rss_mb(pid)
    values = [pss_mb(p) for p in procs]
    if all(v is None for v in values):
        return sum(v for v in map(rss_mb, procs) if v is not None) or None
    if any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def _tree(pid: int) -> list[int]:
    out = [pid]
    with contextlib.suppress(OSError):
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            out += _tree(int(child))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppServer:
    proc: subprocess.Popen
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log_tail(self, n: int = 3000) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-n:]
        return ""


@contextlib.contextmanager
def app_server(script: Path, *, db: Path | None = None, cwd: Path = ROOT, env: dict[str, str] | None = None,
               timeout: float = 60) -> Iterator[AppServer]:
    """`streamlit run script` on a free 127.0.0.1 port; yields once /_stcore/health answers, stops it after."""
    port = free_port()
    full_env = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT),
                "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    if db is not None:
        full_env["JARJESTOKARTTA_DB"] = str(db)
    log = Path(tempfile.mkstemp(prefix="bench-streamlit-", suffix=".log")[1])
    # the dashboard is served the way `make run` does it (app.serve: st.navigation even for a first deep link)
    launcher = ["-m", "app.serve"] if Path(script).resolve() == ROOT / "dashboard.py" else \
        ["-m", "streamlit", "run", str(script)]
    cmd = [sys.executable, *launcher, "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    with open(log, "w") as lf:
        proc = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=lf, stderr=subprocess.STDOUT)
    server = AppServer(proc, port, log)
    try:
        deadline = time.perf_counter() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{server.log_tail()}")
            try:
                with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() > deadline:
                raise RuntimeError(f"streamlit did not answer /_stcore/health in {timeout} s:\n{server.log_tail()}")
            time.sleep(0.1)
        yield server
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.unlink(missing_ok=True)


def mb(kb: float) -> float:
    return kb / 1024
