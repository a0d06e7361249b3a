"""ETL benchmark: demo generation, the full build, and DuckDB's bare load of the same staged rows.

Per scale, each step runs in its own child process, so wall time and peak RSS (ru_maxrss from os.wait4) belong to
that step alone:

1. generate the demo dataset into a temp folder (timed on its own, not part of the build);
2. `etl.build.build(...)` into a temp warehouse (BuildResult.seconds, step_seconds, peak RSS);
3. export every `stg_*` table of that warehouse to Parquet (preparation, not timed as a figure);
4. REFERENCE: in a fresh child, `create table x as select * from read_parquet(...)` for all of them into a new
   DuckDB file, then checkpoint — the bare cost of landing exactly the rows the build staged.

Ratio = build / bare load (time and memory). The build does far more than land rows (parsing JSON/XLSX/CSV,
validation, quarantine, harmonisation, marts, checks), so the ratio says how much all of that costs on top.
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
from etl.build import build
r = build(db_path=Path(p['db']), offline_dir=Path(p['offline']), reference_dir=Path(p['reference']),
          org_dirs=[Path(p['demo'])], is_demo=True, force=True, progress=False, log=lambda *a, **k: None)
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

BASELINE = _PRELUDE + """
import duckdb, pandas
done({})
"""


def run(scales: list[float], res: Results, *, seed: int = 42, keep: dict[float, Path] | None = None,
        work_root: Path | None = None) -> None:
    """Measure every scale; when `keep` is given, the built warehouses are kept (scale -> path) for later
    benchmarks and their temp folders are left for the caller to delete."""
    from etl import paths

    offline, reference = str(paths.offline_dir()), str(paths.reference_dir())
    base = run_child(BASELINE, {})
    res.details.setdefault("etl", {})["baseline_child_rss_mb"] = round(base.maxrss_mb, 1)
    print(f"  etl: baseline child (python + duckdb + pandas imported) peak RSS {base.maxrss_mb:.0f} MB", flush=True)
    for scale in scales:
        work = Path(tempfile.mkdtemp(prefix=f"bench-etl-{scale:g}-", dir=work_root))
        detail: dict = {}
        res.details["etl"][f"scale_{scale:g}"] = detail
        try:
            demo_dir, db = work / "demo", work / "warehouse.duckdb"
            gen = run_child(GEN, {"out": str(demo_dir), "scale": scale, "seed": seed, "offline": offline,
                                  "reference": reference})
            if gen.returncode != 0:
                res.errors.append(f"etl scale {scale:g}: demo generation failed: {gen.stderr_tail[-800:]}")
                continue
            detail["generate"] = {**gen.result, "wall_s": round(gen.wall_s, 2), "maxrss_mb": round(gen.maxrss_mb)}
            res.add("etl", scale, "demo generation (not part of the build)", gen.result["seconds"], "s",
                    note=f"{gen.result['activities']:,} activities, {gen.result['organisations']:,} orgs, "
                         f"{gen.result['bytes'] / 2**20:,.1f} MiB input, peak {gen.maxrss_mb:,.0f} MB")

            b = run_child(BUILD, {"db": str(db), "demo": str(demo_dir), "offline": offline, "reference": reference})
            if b.returncode != 0:
                res.errors.append(f"etl scale {scale:g}: build failed: {b.stderr_tail[-1500:]}")
                continue
            detail["build"] = {**b.result, "wall_s": round(b.wall_s, 2), "maxrss_mb": round(b.maxrss_mb)}

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


if __name__ == "__main__":
    r = Results()
    run([0.2], r)
    print(json.dumps(r.details, indent=1, default=str)[:3000])
