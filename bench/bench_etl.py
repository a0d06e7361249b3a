"""ETL benchmark: demo generation, the full build, and DuckDB's bare load of the same staged rows.

Per scale, each step runs in its own child process, so wall time and peak RSS (ru_maxrss from os.wait4) belong to
that step alone:

1. generate the demo dataset into a temp folder (timed on its own, not part of the build);
2. `etl.build.build(...)` into a temp warehouse (BuildResult.seconds, step_seconds, peak RSS);
3. export every `stg_*` table of that warehouse to Parquet (preparation, not timed as a figure);
4. REFERENCE 1 (physical): in a fresh child, DuckDB's own readers ingest the same raw files the build reads
   (`etl.build.input_files`) into plain tables of a new DuckDB file, with no validation: `read_json` over each
   folder of JSON pages with `unnest` of the record list (`itemList`/`items`/`companies`), `read_json` over the
   other JSON files, `read_csv` (all varchar) over the CSVs, the XLSX through python-calamine (the build's reader)
   as an Arrow table of texts; then checkpoint. This is what the input costs to parse and land at all;
5. REFERENCE 2: in a fresh child, `create table x as select * from read_parquet(...)` for the exported staging
   tables into a new DuckDB file, then checkpoint — the bare cost of landing exactly the rows the build staged.

Ratio = build / reference (time and memory). The build does more than land rows (validation, quarantine,
harmonisation, marts, checks), so the ratio says how much all of that costs on top. Over the scales, the growth
per 10x of data of the build time and peak is printed beside the raw readers' own growth.

A scale can be given an existing demo folder (`demo_dirs`): it is not generated then (nor deleted).
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from bench.common import Results, run_child

# The children get their parameters as JSON in argv[1] and write a JSON result to payload["result_file"].
_PRELUDE = "import json, sys, time\nfrom pathlib import Path\np = json.loads(sys.argv[1])\n" \
           "def done(d): Path(p['result_file']).write_text(json.dumps(d, default=str))\n"

GEN = _PRELUDE + """
from etl import demo
t0 = time.perf_counter()
r = demo.generate(Path(p['out']), scale=p['scale'], seed=p['seed'], offline_dir=Path(p['offline']),
                  reference_dir=Path(p['reference']), progress=False)
secs = time.perf_counter() - t0
files = [f for f in Path(p['out']).rglob('*') if f.is_file()]
done({'seconds': secs, 'organisations': r.organisations, 'activities': r.activities, 'grants': r.grants,
      'files': len(files), 'bytes': sum(f.stat().st_size for f in files)})
"""

BUILD = _PRELUDE + """
import resource
from etl.build import build
t_start = time.perf_counter()
def log(*a, **k):   # each step's summary, with the time so far and the peak so far, to a file one can watch
    if p.get('progress'):
        with open(p['progress'], 'a') as f:
            f.write(f"{time.perf_counter() - t_start:8.1f} s  peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MB  "
                    + ' '.join(map(str, a)) + "\\n")
r = build(db_path=Path(p['db']), offline_dir=Path(p['offline']), reference_dir=Path(p['reference']),
          org_dirs=[Path(p['demo'])], is_demo=True, force=True, progress=False, log=log)
done({'seconds': r.seconds, 'step_seconds': r.step_seconds, 'db_bytes': Path(p['db']).stat().st_size,
      'stats': [{'source': s.source, 'read': s.read, 'loaded': s.loaded, 'quarantined': s.quarantined}
                for s in r.stats], 'warnings': r.warnings})
"""

EXPORT = _PRELUDE + """
import duckdb
con = duckdb.connect(p['db'], read_only=True)
tables = [r[0] for r in con.execute("select table_name from duckdb_tables() where table_name like 'stg\\\\_%' escape '\\\\' "
                                    "order by 1").fetchall()]
out = {}
for t in tables:
    f = Path(p['dir']) / f'{t}.parquet'
    con.execute(f"copy (select * from {t}) to '{f}' (format parquet)")
    out[t] = {'rows': con.execute(f'select count(*) from {t}').fetchone()[0], 'bytes': f.stat().st_size}
con.close()
done({'tables': out})
"""

BARE = _PRELUDE + """
import duckdb
t0 = time.perf_counter()
con = duckdb.connect(p['db'])
for f in sorted(Path(p['dir']).glob('*.parquet')):
    con.execute(f"create table {f.stem} as select * from read_parquet('{f}')")
con.execute('checkpoint')
con.close()
done({'seconds': time.perf_counter() - t0, 'db_bytes': Path(p['db']).stat().st_size})
"""

RAW = _PRELUDE + """
import duckdb
from etl import build as B
from etl.context import BuildContext
ctx = BuildContext(offline_dir=Path(p['offline']), reference_dir=Path(p['reference']), org_dirs=[Path(p['demo'])],
                   is_demo=True, progress=False)
files = B.input_files(ctx)
demo = Path(p['demo'])
t0 = time.perf_counter()
con = duckdb.connect(p['db'])
groups, singles = {}, []
for f in files:
    if f.suffix.lower() == '.json' and f.is_relative_to(demo):
        groups.setdefault(f.parent, []).append(str(f))
    else:
        singles.append(f)
detail, n = {}, 0
def land(name, sql, params=None):
    s0 = time.perf_counter()
    con.execute(f'create table "{name}" as ' + sql, params or [])
    detail[name] = {'seconds': round(time.perf_counter() - s0, 3),
                    'rows': con.execute(f'select count(*) from "{name}"').fetchone()[0]}
JSON = "read_json(?, format='auto', union_by_name=true, maximum_object_size=1073741824)"
for folder, fs in sorted(groups.items()):
    n += 1
    name = 'raw_' + '_'.join(folder.relative_to(demo).parts)
    cols = [r[0] for r in con.execute(f'describe select * from {JSON}', [fs]).fetchall()]
    key = next((k for k in ('itemList', 'items', 'companies') if k in cols), None)
    if key:   # the records, one row each, their top-level fields as columns
        land(name, f'select unnest(r) from (select unnest("{key}") as r from {JSON})', [fs])
    else:
        land(name, f'select * from {JSON}', [fs])
for f in singles:
    n += 1
    name = f'raw_{n:03d}_{f.stem}'[:60]
    suffix = f.suffix.lower()
    if suffix == '.json':
        land(name, f'select * from {JSON}', [str(f)])
    elif suffix == '.csv':
        land(name, "select * from read_csv(?, all_varchar=true, strict_mode=false, null_padding=true)", [str(f)])
    elif suffix in ('.xlsx', '.xlsm'):
        import pyarrow as pa
        from python_calamine import CalamineWorkbook
        s0 = time.perf_counter()
        rows = CalamineWorkbook.from_path(str(f)).get_sheet_by_index(0).to_python()
        head = [str(h) for h in rows[0]]
        cols = list(zip(*rows[1:])) if len(rows) > 1 else [()] * len(head)
        tbl = pa.table({f'c{i}_{h}': pa.array([None if v in (None, '') else str(v) for v in c], pa.string())
                        for i, (h, c) in enumerate(zip(head, cols))})
        con.register('_xlsx', tbl)
        con.execute(f'create table "{name}" as select * from _xlsx')
        con.unregister('_xlsx')
        detail[name] = {'seconds': round(time.perf_counter() - s0, 3), 'rows': tbl.num_rows}
        del rows, cols, tbl
con.execute('checkpoint')
con.close()
done({'seconds': time.perf_counter() - t0, 'db_bytes': Path(p['db']).stat().st_size, 'files': len(files),
      'tables': detail})
"""

BASELINE = _PRELUDE + """
import duckdb, pandas
done({})
"""


# The build's steps after the raw -> staging loading: core tables (harmonise, public_services) and marts.
AFTER_LOADING = ("harmonise", "public_services", "marts")


def loading_seconds(build_seconds: float, step_seconds: dict[str, float]) -> float:
    """The build's seconds but those of :data:`AFTER_LOADING`: the part of the build that does what the raw
    readers do (raw files into tables), with validation and quarantine. Not the sum of the loaders' own seconds:
    PTV and the other loaders may run at the same time (etl/loaders.py)."""
    return round(build_seconds - sum(step_seconds.get(k, 0) for k in AFTER_LOADING), 3)


def _growth(a: float, b: float, scale_a: float, scale_b: float) -> float | None:
    """b / a expressed per 10x of data (b/a itself when the scales are 10x apart)."""
    import math
    if not a or not b or scale_b <= scale_a:
        return None
    return (b / a) ** (1 / math.log10(scale_b / scale_a))


def run(scales: list[float], res: Results, *, seed: int = 42, keep: dict[float, Path] | None = None,
        work_root: Path | None = None, demo_dirs: dict[float, Path] | None = None) -> None:
    """Measure every scale; when `keep` is given, the built warehouses are kept (scale -> path) for later
    benchmarks and their temp folders are left for the caller to delete. `demo_dirs` (scale -> folder) gives a
    scale an existing demo dataset instead of generating one."""
    from etl import paths

    offline, reference = str(paths.offline_dir()), str(paths.reference_dir())
    base = run_child(BASELINE, {})
    res.details.setdefault("etl", {})["baseline_child_rss_mb"] = round(base.maxrss_mb, 1)
    print(f"  etl: baseline child (python + duckdb + pandas imported) peak RSS {base.maxrss_mb:.0f} MB", flush=True)
    measured: dict[float, dict[str, float]] = {}
    for scale in scales:
        work = Path(tempfile.mkdtemp(prefix=f"bench-etl-{scale:g}-", dir=work_root))
        detail: dict = {}
        res.details["etl"][f"scale_{scale:g}"] = detail
        try:
            db = work / "warehouse.duckdb"
            given = (demo_dirs or {}).get(scale)
            if given is not None:
                demo_dir = Path(given)
                detail["generate"] = {"given": str(demo_dir)}
            else:
                demo_dir = work / "demo"
                gen = run_child(GEN, {"out": str(demo_dir), "scale": scale, "seed": seed, "offline": offline,
                                      "reference": reference})
                if gen.returncode != 0:
                    res.errors.append(f"etl scale {scale:g}: demo generation failed: {gen.stderr_tail[-800:]}")
                    continue
                detail["generate"] = {**gen.result, "wall_s": round(gen.wall_s, 2), "maxrss_mb": round(gen.maxrss_mb)}
                res.add("etl", scale, "demo generation (not part of the build)", gen.result["seconds"], "s",
                        note=f"{gen.result['activities']:,} activities, {gen.result['organisations']:,} orgs, "
                             f"{gen.result['bytes'] / 2**20:,.1f} MiB input, peak {gen.maxrss_mb:,.0f} MB")

            raw = run_child(RAW, {"db": str(work / "raw.duckdb"), "demo": str(demo_dir), "offline": offline,
                                  "reference": reference})
            (work / "raw.duckdb").unlink(missing_ok=True)
            if raw.returncode != 0:
                res.errors.append(f"etl scale {scale:g}: raw-reader reference failed: {raw.stderr_tail[-800:]}")
            else:
                detail["raw_readers"] = {**raw.result, "wall_s": round(raw.wall_s, 2),
                                         "cpu_s": round(raw.cpu_s, 2), "maxrss_mb": round(raw.maxrss_mb)}

            progress = work / "build-progress.log"
            print(f"  etl: scale {scale:g} build running; its steps: {progress}", flush=True)
            b = run_child(BUILD, {"db": str(db), "demo": str(demo_dir), "offline": offline, "reference": reference,
                                  "progress": str(progress)})
            detail["build_progress"] = progress.read_text() if progress.exists() else ""
            if b.returncode != 0:
                res.errors.append(f"etl scale {scale:g}: build failed: {b.stderr_tail[-1500:]}")
                continue
            detail["build"] = {**b.result, "wall_s": round(b.wall_s, 2), "cpu_s": round(b.cpu_s, 2),
                               "maxrss_mb": round(b.maxrss_mb)}
            measured[scale] = {"build_s": b.result["seconds"], "build_mb": b.maxrss_mb, "build_cpu_s": b.cpu_s}

            if raw.returncode == 0:
                measured[scale].update(raw_s=raw.result["seconds"], raw_mb=raw.maxrss_mb, raw_cpu_s=raw.cpu_s)
                raw_label = (f"DuckDB's own readers landing the {raw.result['files']:,} raw input files "
                             "(read_json + unnest, read_csv, calamine), no validation")
                res.add("etl", scale, "build time vs raw readers", b.result["seconds"], "s",
                        reference=raw.result["seconds"], reference_label=raw_label, target="≤ 2× raw readers")
                res.add("etl", scale, "build process CPU (user+sys) vs raw readers", b.cpu_s, "s",
                        reference=raw.cpu_s, reference_label="raw readers process CPU",
                        note="steadier than wall time when the machine is shared")
                res.add("etl", scale, "build peak RSS vs raw readers", b.maxrss_mb, "MB", reference=raw.maxrss_mb,
                        reference_label="raw readers peak RSS", target="≤ 1.5 GB" if scale >= 10 else "")
                steps = b.result.get("step_seconds", {})
                res.add("etl", scale, "loading alone (raw -> staging) vs raw readers",
                        loading_seconds(b.result["seconds"], steps), "s",
                        reference=raw.result["seconds"], reference_label="raw readers, the same files",
                        note="the build's steps but " + ", ".join(f"{k} {steps.get(k, 0):.1f} s" for k in
                                                                 AFTER_LOADING)
                        + ": the core and mart tables, which the raw readers do not build")

            pq = work / "stg_parquet"
            pq.mkdir()
            ex = run_child(EXPORT, {"db": str(db), "dir": str(pq)})
            if ex.returncode != 0:
                res.errors.append(f"etl scale {scale:g}: staging export failed: {ex.stderr_tail[-800:]}")
                continue
            tables = ex.result["tables"]
            staged_rows = sum(t["rows"] for t in tables.values())
            detail["staging"] = tables

            bare = run_child(BARE, {"db": str(work / "bare.duckdb"), "dir": str(pq)})
            if bare.returncode != 0:
                res.errors.append(f"etl scale {scale:g}: bare load failed: {bare.stderr_tail[-800:]}")
                continue
            detail["bare_load"] = {**bare.result, "wall_s": round(bare.wall_s, 2), "maxrss_mb": round(bare.maxrss_mb)}

            ref_label = f"bare DuckDB load of the {staged_rows:,} staged rows ({len(tables)} stg tables)"
            res.add("etl", scale, "build time", b.result["seconds"], "s", reference=bare.result["seconds"],
                    reference_label=ref_label,
                    target="≤ 1.5× bare load" + ("; ≤ 60 s" if scale >= 10 else ""))
            res.add("etl", scale, "build process wall (incl. interpreter start)", b.wall_s, "s",
                    reference=bare.wall_s, reference_label="bare load process wall")
            res.add("etl", scale, "build peak RSS", b.maxrss_mb, "MB", reference=bare.maxrss_mb,
                    reference_label="bare load peak RSS",
                    target="≤ 1.5 GB" if scale >= 10 else "", note=f"baseline child {base.maxrss_mb:,.0f} MB")
            steps = b.result.get("step_seconds", {})
            slowest = sorted(steps.items(), key=lambda kv: -kv[1])
            res.add("etl", scale, "build slowest steps", None, "",
                    note=", ".join(f"{k} {v:.1f} s" for k, v in slowest[:5]))
            detail["warehouse_bytes"] = b.result.get("db_bytes")
            if keep is not None:
                keep[scale] = db
        finally:
            if keep is None or scale not in keep:
                shutil.rmtree(work, ignore_errors=True)
            else:
                shutil.rmtree(work / "stg_parquet", ignore_errors=True)
                shutil.rmtree(work / "demo", ignore_errors=True)
                (work / "bare.duckdb").unlink(missing_ok=True)
    growth_rows(measured, res)


def growth_rows(measured: dict[float, dict[str, float]], res: Results) -> None:
    """Build time and peak at each measured scale, and their growth per 10x of data between consecutive scales,
    beside the raw readers' growth over the same step (target ≤ 10x per 10x)."""
    done = sorted(measured)
    if not done:
        return
    res.add("etl", None, "build time and peak by scale", None, "",
            note="; ".join(f"scale {s:g}: {measured[s]['build_s']:.1f} s, {measured[s]['build_mb']:,.0f} MB"
                           for s in done))
    res.details.setdefault("etl", {})["by_scale"] = {f"{s:g}": measured[s] for s in done}
    for a, b in zip(done, done[1:]):
        for what, unit_key, ref_key in (("time", "build_s", "raw_s"), ("CPU", "build_cpu_s", "raw_cpu_s"),
                                        ("peak RSS", "build_mb", "raw_mb")):
            g = _growth(measured[a][unit_key], measured[b][unit_key], a, b)
            ref = None
            if ref_key in measured[a] and ref_key in measured[b]:
                ref = _growth(measured[a][ref_key], measured[b][ref_key], a, b)
            res.add("etl", b, f"build {what} growth per 10× of data (scale {a:g} → {b:g})", g, "×",
                    reference=ref, reference_label="raw readers' growth", target="≤ 10× per 10×")


if __name__ == "__main__":
    r = Results()
    run([0.2], r)
    print(json.dumps(r.details, indent=1, default=str)[:3000])
