"""`python -m etl {fetch,build,check,demo,all}` — the one command that makes the warehouse.

  fetch   download live sources into data/raw/ (needs a network; --only SOURCE)
  demo    write the synthetic demo dataset (source formats) into data/demo/ (--scale, --seed)
  build   load raw inputs into a new warehouse, run the checks, swap it in atomically
  check   re-run the checks on the current warehouse
  all     demo data when no organisation source is present, then build and check

Inputs: JARJESTOKARTTA_OFFLINE_DIR / --offline-dir (folder laid out like shared/data/raw),
JARJESTOKARTTA_REFERENCE_DIR (need/, taxonomy/, geo/), JARJESTOKARTTA_DB (the warehouse file).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from rich.console import Console

from . import paths
from .context import EtlError

console = Console(stderr=False, highlight=False)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m etl", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("command", choices=["fetch", "build", "check", "demo", "all"])
    p.add_argument("--only", action="append", help="limit fetch/build to this source (repeatable)")
    p.add_argument("--force", action="store_true", help="refetch / rebuild even when up to date")
    p.add_argument("--offline-dir", type=Path, help="input folder laid out like shared/data/raw "
                                                    "(default: $JARJESTOKARTTA_OFFLINE_DIR)")
    p.add_argument("--db", type=Path, help="warehouse file (default: $JARJESTOKARTTA_DB or data/warehouse.duckdb)")
    p.add_argument("--demo", action="store_true", help="build from the synthetic demo dataset")
    p.add_argument("--scale", type=float, default=1.0, help="demo size (1 = ~3,000 organisations)")
    p.add_argument("--seed", type=int, default=42, help="demo random seed")
    p.add_argument("--ptv-version", choices=["11", "12"], default="12",
                   help="PTV API shape the demo writes (12, the default: ptv/v12/; 11: ptv/organizations|...)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars (CI logs)")
    return p


def cmd_demo(args) -> None:
    from . import demo
    t0 = time.perf_counter()
    res = demo.generate(paths.DEMO_DIR, scale=args.scale, seed=args.seed, offline_dir=paths.offline_dir(),
                        reference_dir=paths.reference_dir(), progress=not args.no_progress,
                        ptv_version=args.ptv_version)
    console.print(f"demo: {res.organisations:,} organisations · {res.activities:,} activities · "
                  f"{res.grants:,} grants · {len(res.files)} files in {paths.DEMO_DIR} · "
                  f"{time.perf_counter() - t0:.1f} s  [bold]SYNTHETIC[/bold]")


def cmd_build(args) -> None:
    from .build import build
    res = build(db_path=args.db, is_demo=True if args.demo else None, only=args.only, force=args.force,
                progress=not args.no_progress, log=console.print)
    if res.skipped:
        return
    label = "DEMO (synthetic)" if res.is_demo else "real sources"
    console.print(f"[green]built[/green] {res.db_path} · build {res.build_id} · {label} · "
                  f"{res.seconds:.1f} s · {sum(c.ok for c in res.checks)}/{len(res.checks)} checks passed")
    for w in res.warnings:
        console.print(f"[yellow]warning:[/yellow] {w}")


def cmd_check(args) -> None:
    from .build import run_checks
    results = run_checks(args.db)
    for c in results:
        mark = "[green]ok[/green]" if c.ok else ("[red]FAIL[/red]" if c.severity == "block" else "[yellow]warn[/yellow]")
        console.print(f"{mark} {c.name}: {c.message}")
    failed = [c for c in results if not c.ok and c.severity == "block"]
    if failed:
        raise EtlError(f"{len(failed)} blocking checks failed")


def cmd_fetch(args) -> None:
    from .fetch import FETCHERS, run_fetch
    unknown = [n for n in (args.only or []) if n not in FETCHERS]
    if unknown:
        raise EtlError(f"unknown source(s) {unknown}; choose from {sorted(FETCHERS)}")
    for res in run_fetch(args.only, paths.RAW_DIR, force=args.force, progress=not args.no_progress):
        console.print(res.summary())


def cmd_all(args) -> None:
    from .build import choose_org_dirs, has_org_sources
    org_dirs, is_demo = choose_org_dirs(paths.offline_dir(), demo=args.demo)
    if is_demo and not has_org_sources(paths.DEMO_DIR):
        console.print("no organisation source found: generating the synthetic demo dataset")
        cmd_demo(args)
    args.demo = is_demo
    cmd_build(args)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.offline_dir:
        os.environ["JARJESTOKARTTA_OFFLINE_DIR"] = str(args.offline_dir.resolve())
    try:
        {"fetch": cmd_fetch, "build": cmd_build, "check": cmd_check, "demo": cmd_demo, "all": cmd_all}[
            args.command](args)
    except EtlError as e:
        console.print(f"[red]error:[/red] {e}", soft_wrap=True)
        return 1
    except KeyboardInterrupt:
        console.print("[red]interrupted[/red]")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
