"""PRH YTJ open data API v3: companies by business id -> ``<out_dir>/ytj/companies_<chunk>.json``.

``GET /companies?businessId=<Y-tunnus>`` answers ``{"totalResults": n, "companies": [...]}``. Ids are fetched one
per request (the API takes one ``businessId``) and collected into chunk files of ``chunk_size`` ids, each in the
same ``{"totalResults", "companies"}`` shape so the loader reads one format. A small ``delay`` between requests
keeps under PRH's shared rate limit; 429 ``Retry-After`` is honoured by the client. Ids that are not valid
Y-tunnus (after normalisation) are skipped and listed in ``FetchResult.skipped``. Licence CC BY 4.0 (PRH).
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Iterable

from etl.bizid import normalise_business_id
from etl.fetch.http import FetchResult, base_url as _base_url, client_for, make_progress

SOURCE = "ytj"
ENV_URL = "JARJESTOKARTTA_YTJ_URL"
DEFAULT_URL = "https://avoindata.prh.fi/opendata-ytj-api/v3"


def read_business_ids(path: Path) -> list[str]:
    """One id a line (a CSV's first column works too; a header line without digits is ignored)."""
    ids = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        cell = line.split(",")[0].strip().strip('"')
        if cell and any(ch.isdigit() for ch in cell):
            ids.append(cell)
    return ids


def _companies_validator(doc: Any) -> None:
    if not isinstance(doc, dict) or not isinstance(doc.get("companies", []), list):
        raise ValueError("expected {totalResults, companies[]}")


def fetch_ytj(out_dir: Path, *, base_url: str | None = None, force: bool = False, progress: bool = True,
              business_ids: Iterable[str] | None = None, ids_file: Path | None = None, chunk_size: int = 500,
              delay: float = 0.2, **opts: Any) -> FetchResult:
    """Fetch the companies with the given business ids (``business_ids`` and/or ``ids_file``)."""
    t0 = time.perf_counter()
    root = _base_url(base_url, ENV_URL, DEFAULT_URL)
    raw_ids = list(business_ids or []) + (read_business_ids(ids_file) if ids_file else [])
    result = FetchResult(SOURCE)
    ids: list[str] = []
    for raw in raw_ids:
        bid = normalise_business_id(raw)
        if bid is None:
            result.skipped.append(str(raw))
        elif bid not in ids:
            ids.append(bid)
    dest_dir = Path(out_dir) / SOURCE
    opts = {**opts, "delay": delay}
    with client_for(SOURCE, opts) as client, make_progress(progress) as bar:
        task = bar.add_task("YTJ companies", total=len(ids))
        for c, start in enumerate(range(0, len(ids), max(1, chunk_size)), start=1):
            chunk = ids[start:start + chunk_size]
            companies: list[Any] = []
            urls = []
            for bid in chunk:
                page = client.get_json_cached(f"{root}/companies", {"businessId": bid}, force=force,
                                              validate=_companies_validator)
                companies.extend(page.doc.get("companies") or [])
                urls.append(page.url)
                bar.advance(task)
            body = (json.dumps({"totalResults": len(companies), "companies": companies}, ensure_ascii=False,
                               indent=1) + "\n").encode("utf-8")
            dest = dest_dir / f"companies_{c:04d}.json"
            client.save(dest, body, url=f"{root}/companies?businessId=...",
                        extra={"business_ids": chunk, "requests": urls})
            result.files.append(dest)
    result.requests, result.bytes = client.requests, client.bytes
    result.seconds = time.perf_counter() - t0
    return result
