"""Synthetic demo dataset in the real source formats (PTV v12/v11, PRH YTJ v3, STEA Excel, Lähellä.fi, our template).

Nothing here is real. Every organisation name carries "(DEMO)" or starts with "Demo"/"Kuvitteellinen", every
description starts with "[DEMO]", every web address is under the reserved domain example.org, and the output folder
gets a ``DEMO.json`` marker. Business ids (Y-tunnus) are drawn from the range 9000000-9999999 with a valid check
digit (``etl.bizid.check_digit``) so that the loaders' validation paths are exercised; real ids in that range may
exist, which is why every record is also marked as demo in its text.

Deterministic: the same ``seed`` and ``scale`` give byte-identical files (dates are derived from the seed relative to
the fixed date 2026-10-01; the XLSX is written with fixed document properties and fixed zip entry times).

Streaming: organisations are planned in memory (a few hundred bytes each), activities are generated organisation by
organisation and written straight to page files, so scale 100 (about 1.5 million activities) stays well under 2 GB.

Layout: ``vocabulary``, ``places``, ``world``, ``organisations``, ``activities`` (the world model), ``defects``
(planted errors), one writer per source format (``ptv``, ``lahella``, ``ytj``, ``stea``, ``template``),
``public`` (the public side of PTV: counties, municipalities and the state, from a random stream of its own, appended
after the other PTV records so that the rest of the output does not change) and ``dataset`` (the run that ties them
together in a fixed order of random draws).

Usage: ``python -m etl.demo --scale 1 --seed 42 --out data/demo`` (the project CLI ``python -m etl demo`` calls
:func:`generate`).
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from etl import paths

from .dataset import MARKER, DemoResult, run
from .ptv import PTV_VERSIONS

__all__ = ["DemoResult", "MARKER", "OWNED", "generate", "main"]

OWNED = ("ptv", "ytj", "stea", "lahella", "template")   # the subfolders generate() empties and rewrites


def _clean(out_dir: Path) -> None:
    for name in OWNED:
        d = out_dir / name
        if d.is_dir():
            shutil.rmtree(d)
    m = out_dir / MARKER
    if m.exists():
        m.unlink()


def generate(out_dir: Path, *, scale: float = 1.0, seed: int = 42, offline_dir: Path | None = None,
             reference_dir: Path | None = None, progress: bool = True, ptv_version: str = "12") -> DemoResult:
    """Write the synthetic demo dataset under `out_dir` (its own subfolders are emptied first). PTV is written in
    API v12 shape (``ptv/v12/``) unless ``ptv_version="11"`` (``ptv/organizations|services|channels/``); the
    records and every other file are the same either way."""
    if str(ptv_version) not in PTV_VERSIONS:
        raise ValueError(f"ptv_version {ptv_version!r}: choose 11 or 12")
    if scale <= 0:
        raise ValueError("scale must be > 0")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clean(out_dir)
    return run(out_dir, scale, seed, Path(offline_dir or paths.offline_dir()),
               Path(reference_dir or paths.reference_dir()), progress, str(ptv_version))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl.demo", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=paths.DEMO_DIR)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--ptv-version", choices=PTV_VERSIONS, default="12", help="PTV API shape to write (default 12)")
    args = ap.parse_args(argv)
    res = generate(args.out, scale=args.scale, seed=args.seed, progress=not args.quiet, ptv_version=args.ptv_version)
    print(f"{len(res.files)} files, {res.organisations} organisations, {res.activities} activities, "
          f"{res.grants} grant rows in {res.seconds} s -> {args.out}")
    return 0
