"""The fetch step: live sources -> the raw layout the loaders read (``<out_dir>/<source>/...`` + ``.meta.json``).

Every entry point has the signature
``fetch_<source>(out_dir: Path, *, base_url: str | None = None, force: bool = False, progress: bool = True,
**opts) -> FetchResult`` where ``out_dir`` is the raw root (``paths.RAW_DIR``), not the source's folder.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

from etl.fetch.http import FetchResult
from etl.fetch.ptv import fetch_ptv
from etl.fetch.sotkanet import fetch_sotkanet
from etl.fetch.statfi import fetch_statfi
from etl.fetch.stea import fetch_stea
from etl.fetch.ytj import fetch_ytj

FETCHERS: dict[str, Callable[..., FetchResult]] = {
    "statfi": fetch_statfi,
    "ptv": fetch_ptv,
    "ytj": fetch_ytj,
    "stea": fetch_stea,
    "sotkanet": fetch_sotkanet,
}



def run_fetch(source_ids: Iterable[str] | None = None, out_dir: Path | None = None, *, force: bool = False,
              progress: bool = True, opts: dict[str, dict[str, Any]] | None = None) -> list[FetchResult]:
    """Run the given fetchers (default: all, in FETCHERS order) into ``out_dir`` (default ``paths.RAW_DIR``).

    ``opts`` maps a source id to its extra keyword options,
    e.g. ``{"ptv": {"limit": 50}, "stea": {"last_id": 100}}``.
    Stops at the first failing source (EtlError propagates with the URL and attempts in its message).
    """
    from etl import paths
    from etl.context import EtlError

    ids = list(source_ids) if source_ids else list(FETCHERS)
    unknown = [s for s in ids if s not in FETCHERS]
    if unknown:
        raise EtlError(f"unknown fetch source(s) {', '.join(unknown)}; known: {', '.join(FETCHERS)}")
    out = Path(out_dir) if out_dir else paths.RAW_DIR
    results = []
    for sid in ids:
        results.append(FETCHERS[sid](out, force=force, progress=progress, **(opts or {}).get(sid, {})))
    return results


__all__ = ["FETCHERS", "FetchResult", "fetch_ptv", "fetch_sotkanet", "fetch_statfi", "fetch_stea", "fetch_ytj",
           "run_fetch"]
