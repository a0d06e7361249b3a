"""Suomi.fi Palvelutietovaranto (PTV) open API v11 -> ``<out_dir>/ptv/``.

API version: ``JARJESTOKARTTA_PTV_API_VERSION=11|12``; unset, v12 when ``JARJESTOKARTTA_PTV_API_KEY`` is set (then
:func:`fetch_ptv` hands over to etl/fetch/ptv_v12.py, which writes ``ptv/v12/``), else v11 as below.

Steps (all GET, no credentials; docs/data-sources.md §2.2):

1. ``/Organization?page=N`` (N = 1..pageCount; page numbering starts from one) -> guid pages
   ``{pageNumber, pageSize, pageCount, itemList[{id, name}]}``.
2. ``/Organization/list?guids=a,b,...`` in batches of <= 100 -> full organisations. Every batch answer (a JSON
   array) is written verbatim as ``organizations/page_NNNN.json`` (N = batch number from 1). All organisations
   are written; the loader keeps ``organizationType == "Organization"``.
3. For NGO organisations (``organizationType == "Organization"``):
   ``/Service/list/organization?organizationId=<id>&page=N`` -> ``services/org_<id>_NNNN.json`` and
   ``/ServiceChannel/list/organization?organizationId=<id>&page=N`` -> ``channels/org_<id>_NNNN.json``,
   each a verbatim paged answer ``{pageNumber, pageSize, pageCount, itemList[...]}``. Organisations without
   services/channels (``pageCount`` 0) get no file.

Every answer goes through the page cache (``paths.CACHE_DIR/ptv/``) so an interrupted run resumes; every raw file
has a ``.meta.json`` sidecar. Pagination that ends early (an empty page, a page whose ``pageNumber`` or
``pageCount`` disagrees, fewer pages than ``pageCount``) is retried, then fails naming the page.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterator

from etl.context import EtlError
from etl.fetch.http import CachedPage, Client, FetchResult, base_url, client_for, make_progress
from etl.ptv.settings import api_version

SOURCE = "ptv"
ENV_URL = "JARJESTOKARTTA_PTV_URL"
DEFAULT_URL = "https://api.palvelutietovaranto.suomi.fi/api/v11"
MAX_BATCH = 100
NGO_TYPE = "Organization"


def _page_validator(page_number: int, expected_count: int | None, what: str):
    """Checks one paged answer; raising makes the client retry and then fail with the page in the message."""
    def check(doc: Any) -> None:
        if not isinstance(doc, dict) or "pageCount" not in doc:
            raise ValueError(f"{what} page {page_number}: not a PTV paged answer (no pageCount)")
        items = doc.get("itemList") or []
        if not isinstance(items, list):
            raise ValueError(f"{what} page {page_number}: itemList is not a list")
        count = int(doc.get("pageCount") or 0)
        number = doc.get("pageNumber")
        if number is not None and int(number) != page_number and count:
            raise ValueError(f"{what} page {page_number}: answer says pageNumber {number}")
        if expected_count is not None and count != expected_count:
            raise ValueError(f"pagination ended early or changed: {what} page {page_number} says pageCount "
                             f"{count}, page 1 said {expected_count}")
        if page_number <= count and not items:
            raise ValueError(f"pagination ended early: {what} page {page_number} of {count} is empty")
    return check


def iter_pages(client: Client, url: str, params: dict[str, Any], *, what: str,
               force: bool = False) -> Iterator[tuple[int, CachedPage]]:
    """Yield (page number, page) for page 1..pageCount of a PTV paged endpoint (at least page 1)."""
    first = client.get_json_cached(url, {**params, "page": 1}, force=force,
                                   validate=_page_validator(1, None, what))
    count = int(first.doc.get("pageCount") or 0)
    yield 1, first
    for n in range(2, count + 1):
        page = client.get_json_cached(url, {**params, "page": n}, force=force,
                                      validate=_page_validator(n, count, what))
        yield n, page


def _batches(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def fetch_ptv(out_dir: Path, *, base_url: str | None = None, force: bool = False, progress: bool = True,
              limit: int | None = None, batch_size: int = MAX_BATCH,
              services: bool = True, status: str | None = None, **opts: Any) -> FetchResult:
    """Fetch PTV organisations (+ services and channels of NGO organisations) into ``out_dir/ptv/``.

    ``limit``: at most this many organisations (trial runs). ``status``: PTV publishing status filter for the
    guid listing (``Published`` by default on the server side). ``services=False`` skips step 3.
    Other ``opts`` go to the HTTP client (timeout, max_attempts, wait_initial, wait_max, retry_after_cap, delay,
    cache_dir).
    """
    # --- API version hook: v12 (etl/fetch/ptv_v12.py) when JARJESTOKARTTA_PTV_API_VERSION=12, or by default when
    # JARJESTOKARTTA_PTV_API_KEY is set (etl.ptv.settings.api_version); v11 below otherwise. ---
    if (opts.pop("api_version", None) or api_version()) == "12":
        from etl.fetch.ptv_v12 import fetch_ptv_v12
        return fetch_ptv_v12(out_dir, base_url=opts.pop("v12_base_url", None), force=force, progress=progress,
                             limit=limit, **opts)
    # --- end of hook ---
    t0 = time.perf_counter()
    root = _root_url(base_url)
    batch_size = max(1, min(int(batch_size), MAX_BATCH))
    result = FetchResult(SOURCE)
    dest = Path(out_dir) / SOURCE
    with client_for(SOURCE, opts) as client, make_progress(progress) as bar:
        # 1. guid pages
        guids: list[str] = []
        task = bar.add_task("PTV organisation ids", total=None)
        params = {"status": status} if status else {}
        for _, page in iter_pages(client, f"{root}/Organization", params, what="/Organization", force=force):
            for item in page.doc.get("itemList") or []:
                if isinstance(item, dict) and item.get("id"):
                    guids.append(str(item["id"]))
            bar.update(task, total=int(page.doc.get("pageCount") or 1))
            bar.advance(task)
            if limit is not None and len(guids) >= limit:
                break
        if limit is not None:
            guids = guids[:limit]

        # 2. full organisations in batches
        ngo_ids: list[str] = []
        batches = list(_batches(guids, batch_size))
        task = bar.add_task("PTV organisations", total=len(batches))
        for n, batch in enumerate(batches, start=1):
            page = client.get_json_cached(f"{root}/Organization/list", {"guids": ",".join(batch)}, force=force,
                                          validate=_list_validator(n))
            result.files.append(client.save_page(dest / "organizations" / f"page_{n:04d}.json", page,
                                                 extra={"requested_ids": len(batch)}))
            for org in page.doc:
                if isinstance(org, dict) and org.get("organizationType") == NGO_TYPE and org.get("id"):
                    ngo_ids.append(str(org["id"]))
            bar.advance(task)

        # 3. services and channels of NGO organisations
        if services:
            task = bar.add_task("PTV services + channels", total=len(ngo_ids))
            for org_id in ngo_ids:
                for kind, path in (("services", "/Service/list/organization"),
                                   ("channels", "/ServiceChannel/list/organization")):
                    for n, page in iter_pages(client, f"{root}{path}", {"organizationId": org_id},
                                              what=f"{path} organizationId={org_id}", force=force):
                        if page.doc.get("itemList"):   # an empty answer (pageCount 0, itemList []/null) has no file
                            result.files.append(client.save_page(dest / kind / f"org_{org_id}_{n:04d}.json",
                                                                 page))
                bar.advance(task)
    result.requests, result.bytes = client.requests, client.bytes
    result.seconds = time.perf_counter() - t0
    return result


def _list_validator(batch_number: int):
    def check(doc: Any) -> None:
        if not isinstance(doc, list):
            raise ValueError(f"/Organization/list batch {batch_number}: expected a JSON array")
    return check


def _root_url(explicit: str | None) -> str:
    root = base_url(explicit, ENV_URL, DEFAULT_URL)
    if not root.startswith(("http://", "https://")):
        raise EtlError(f"PTV base URL {root!r} is not http(s)")
    return root
