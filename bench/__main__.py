"""`python -m bench` — run the benchmarks and write bench/results/<date>.json and .md.

  python -m bench                                  # ETL at scales 1 and 10, pages/browser/load at scale 1
  python -m bench --scales 0.2 --only etl,pages    # quick
  python -m bench --only pages,browser,load --db data/warehouse.duckdb   # app benchmarks on an existing build

Every figure is printed beside a reference measured in the same run; nothing passes or fails on time.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from bench.common import RESULTS_DIR, ROOT, Results, write_results

ALL = ["etl", "pages", "browser", "load"]


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def _scale_dir(text: str) -> tuple[float, Path]:
    scale, sep, folder = text.partition("=")
    if not sep or not folder:
        raise argparse.ArgumentTypeError(f"expected SCALE=FOLDER, got {text!r}")
    return float(scale), Path(folder)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--scales", type=_floats, default=[1.0, 10.0], help="demo scales for the ETL (default 1,10)")
    p.add_argument("--page-scales", type=_floats, default=None,
                   help="warehouse scales for the page benchmark (default: the smallest of --scales)")
    p.add_argument("--app-scale", type=float, default=None,
                   help="warehouse scale for the browser and load benchmarks (default: smallest of --scales)")
    p.add_argument("--only", default=",".join(ALL), help=f"comma list of {','.join(ALL)}")
    p.add_argument("--out", type=Path, default=RESULTS_DIR, help="results folder (default bench/results)")
    p.add_argument("--db", type=Path, default=None,
                   help="use this existing warehouse for pages/browser/load instead of building one")
    p.add_argument("--demo-dir", action="append", default=[], metavar="SCALE=FOLDER", type=_scale_dir,
                   help="use this existing demo dataset for that ETL scale instead of generating it (repeatable; "
                        "the folder is not deleted)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--reruns", type=int, default=15, help="page reruns per page (default 15)")
    p.add_argument("--load-seconds", type=float, default=60, help="load benchmark duration (default 60)")
    p.add_argument("--sessions", type=int, default=10, help="concurrent browser sessions (default 10)")
    p.add_argument("--browser-visits", type=int, default=4,
                   help="browser part: visits per URL, taking turns; the first warms the caches, the median of the "
                        "others is the figure (default 4; more on a noisy machine)")
    return p


def _build_quietly(scale: float, seed: int, res: Results) -> Path | None:
    """A warehouse for the app benchmarks when the ETL benchmark did not leave one (not measured)."""
    import tempfile

    from bench.bench_etl import BUILD, GEN
    from bench.common import run_child
    from etl import paths

    work = Path(tempfile.mkdtemp(prefix=f"bench-app-{scale:g}-"))
    common = {"offline": str(paths.offline_dir()), "reference": str(paths.reference_dir())}
    g = run_child(GEN, {**common, "out": str(work / "demo"), "scale": scale, "seed": seed})
    if g.returncode != 0:
        res.errors.append(f"demo generation for scale {scale:g} failed: {g.stderr_tail[-600:]}")
        return None
    b = run_child(BUILD, {**common, "db": str(work / "warehouse.duckdb"), "demo": str(work / "demo")})
    shutil.rmtree(work / "demo", ignore_errors=True)
    if b.returncode != 0:
        res.errors.append(f"build for scale {scale:g} failed: {b.stderr_tail[-600:]}")
        return None
    return work / "warehouse.duckdb"


def _scale_of(db: Path) -> float | None:
    import duckdb

    try:
        con = duckdb.connect(str(db), read_only=True)
        try:
            v = con.execute("select demo_scale from _meta_build").fetchone()
        finally:
            con.close()
        return float(v[0]) if v and v[0] is not None else None
    except Exception:
        return None


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    only = [x.strip() for x in args.only.split(",") if x.strip()]
    unknown = set(only) - set(ALL)
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {', '.join(ALL)}", file=sys.stderr)
        return 2
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    page_scales = args.page_scales or [min(args.scales)]
    app_scale = args.app_scale if args.app_scale is not None else min(args.scales)
    res = Results()
    t0 = time.perf_counter()
    warehouses: dict[float, Path] = {}
    if args.db:
        warehouses[_scale_of(args.db) or 0.0] = args.db.resolve()
    made: list[Path] = []
    try:
        if "etl" in only:
            print(f"== etl (scales {', '.join(f'{s:g}' for s in args.scales)})", flush=True)
            keep: dict[float, Path] = {}
            from bench import bench_etl
            bench_etl.run(args.scales, res, seed=args.seed, demo_dirs=dict(args.demo_dir),
                          keep=keep if not args.db and {"pages", "browser", "load"} & set(only) else None)
            for s, db in keep.items():
                made.append(db.parent)
                warehouses.setdefault(s, db)

        def warehouse(scale: float) -> tuple[float, Path] | None:
            if args.db:
                return next(iter(warehouses.items()))
            if scale not in warehouses:
                db = _build_quietly(scale, args.seed, res)
                if db is None:
                    return None
                made.append(db.parent)
                warehouses[scale] = db
            return scale, warehouses[scale]

        if "pages" in only:
            chosen = dict(w for w in (warehouse(s) for s in page_scales) if w)
            print(f"== pages (scales {', '.join(f'{s:g}' for s in chosen)}, {args.reruns} reruns each)", flush=True)
            from bench import bench_pages
            bench_pages.run(chosen, res, reruns=args.reruns)
        if "browser" in only or "load" in only:
            w = warehouse(app_scale)
            if w is None:
                res.errors.append("no warehouse for the browser/load benchmarks")
            else:
                if "browser" in only:
                    print(f"== browser (scale {w[0]:g})", flush=True)
                    from bench import bench_browser
                    bench_browser.run(w[1], w[0], res, visits=max(2, args.browser_visits))
                if "load" in only:
                    print(f"== load (scale {w[0]:g}, {args.sessions} sessions, {args.load_seconds:g} s)",
                          flush=True)
                    from bench import bench_load
                    bench_load.run(w[1], w[0], res, sessions=args.sessions, seconds=args.load_seconds)
    except KeyboardInterrupt:
        res.errors.append("interrupted")
    finally:
        for d in made:
            shutil.rmtree(d, ignore_errors=True)
    res.details["total_seconds"] = round(time.perf_counter() - t0, 1)
    saved = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    saved["demo_dir"] = [f"{s:g}={d}" for s, d in args.demo_dir]
    jpath, mpath = write_results(res, args.out, args=saved)
    print(f"\nwrote {jpath} and {mpath} ({res.details['total_seconds']} s)")
    if res.errors:
        print(f"{len(res.errors)} error(s):")
        for e in res.errors:
            print("  - " + e[:400])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
