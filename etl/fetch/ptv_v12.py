"""Suomi.fi Palvelutietovaranto (PTV) API v12 -> ``<out_dir>/ptv/v12/`` (layout in etl/ptv/settings.py).

Chosen by ``JARJESTOKARTTA_PTV_API_VERSION=12`` (or by default when ``JARJESTOKARTTA_PTV_API_KEY`` is set; see
etl/fetch/ptv.py). Every read needs an API key, sent as ``x-api-key``; how to get one: the Suomi.fi developer
documentation for PTV API version 12 (``KEY_GUIDE_URL``). Base URL ``JARJESTOKARTTA_PTV_V12_URL`` (default the
production host ``https://api-gw.palvelutietovaranto.suomi.fi``; test host
``https://api-gw.palvelutietovaranto.trn.suomi.fi``).

Steps (all GET ``page=1..totalPages``, ``pageSize=100``; every page saved verbatim, one file per page):

1. ``/api/v12/organization/search?organizationTypes=Organization`` (server-side filter; optional
   ``wellbeingServicesCounties`` from ``JARJESTOKARTTA_PTV_V12_COUNTIES``) -> ``organizations/page_NNNN.json``.
2. For the organisations' content ids in batches of 20 (the document's limit per filter):
   ``/api/v12/service/search?organizationContentIds=...`` -> ``services/bBBBB_page_NNNN.json`` and
   ``/api/v12/service-channel/search?organizationContentIds=...`` -> ``channels/bBBBB_page_NNNN.json``.
3. For the services' content ids in batches of 20: ``/api/v12/connection/search?serviceContentIds=...`` ->
   ``connections/bBBBB_page_NNNN.json``.
4. Reference data: ``/api/v12/{service-classes,target-groups,life-events,region-codes,
   wellbeing-services-county-codes}`` -> ``codes/<endpoint>_page_NNNN.json``.

Array filters (``organizationTypes``, ``organizationContentIds``, ``serviceContentIds``,
``wellbeingServicesCounties``) are sent comma-separated, as the document describes them ("Filter by comma separated
list of ... content id:s"), at most 20 values each.

Public services later: ``organization_types`` takes more types (State, Municipality, RegionalOrganization...);
their services and channels are fetched the same way and the loader decides what it keeps.

Safety: pages go through the resumable page cache (``paths.CACHE_DIR/ptv/``) with ``.meta.json`` sidecars. The run
writes into ``ptv/.v12.partial/`` and swaps it in for ``ptv/v12/`` only when every page arrived, so a missing or
refused key (401/403), a truncated body or any other failure never replaces a good earlier fetch.
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any, Iterator

from etl.context import EtlError
from etl.fetch.http import CLIENT_OPTS, CachedPage, Client, FetchResult, HttpStatusError, base_url, make_progress
from etl.ptv.settings import (
    CODE_SCHEMAS, ENV_COUNTIES, ENV_KEY, ENV_V12_URL, KEY_GUIDE_URL, MAX_IDS_PER_FILTER, MAX_PAGE_SIZE,
    V12_DEFAULT_URL,
)

SOURCE = "ptv"
NGO_TYPES = ("Organization",)
CODE_ENDPOINTS = tuple(CODE_SCHEMAS)

NO_KEY_MESSAGE = (f"PTV API v12 needs an API key: set {ENV_KEY}. How to get one: the Suomi.fi developer "
                  f"documentation for PTV API version 12 ({KEY_GUIDE_URL}). Or fetch the open v11 API with "
                  "JARJESTOKARTTA_PTV_API_VERSION=11.")


def _refused(status: int) -> str:
    return (f"PTV API v12 refused the API key (HTTP {status}). Check {ENV_KEY}; a new key: the Suomi.fi developer "
            f"documentation for PTV API version 12 ({KEY_GUIDE_URL}). Nothing was replaced in ptv/v12/.")


def _page_validator(page: int, expected_total: int | None, what: str):
    """One v12 search answer; raising makes the client retry, then fail naming the page."""
    def check(doc: Any) -> None:
        if not isinstance(doc, dict) or "totalPages" not in doc or not isinstance(doc.get("items"), list):
            raise ValueError(f"{what} page {page}: not a v12 search answer (no totalPages / items)")
        total = int(doc.get("totalPages") or 0)
        if doc.get("page") is not None and int(doc["page"]) != page and total:
            raise ValueError(f"{what} page {page}: answer says page {doc['page']}")
        if expected_total is not None and total != expected_total:
            raise ValueError(f"pagination changed: {what} page {page} says totalPages {total}, "
                             f"page 1 said {expected_total}")
        if page <= total and not doc["items"]:
            raise ValueError(f"pagination ended early: {what} page {page} of {total} is empty")
    return check


def iter_pages(client: Client, url: str, params: dict[str, Any], *, what: str, force: bool = False,
               page_size: int = MAX_PAGE_SIZE) -> Iterator[tuple[int, CachedPage]]:
    """(page number, page) for pages 1..totalPages (at least page 1)."""
    params = {**params, "pageSize": page_size}
    first = _get(client, url, {**params, "page": 1}, force, _page_validator(1, None, what))
    total = int(first.doc.get("totalPages") or 0)
    yield 1, first
    for n in range(2, total + 1):
        yield n, _get(client, url, {**params, "page": n}, force, _page_validator(n, total, what))


def _get(client: Client, url: str, params: dict[str, Any], force: bool, validate: Any) -> CachedPage:
    try:
        return client.get_json_cached(url, params, force=force, validate=validate)
    except HttpStatusError as e:
        if e.status in (401, 403):
            raise EtlError(_refused(e.status)) from None
        raise


def _batches(items: list[str], size: int = MAX_IDS_PER_FILTER) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _ids(page: CachedPage, key: str = "contentId") -> list[str]:
    return [str(i[key]) for i in page.doc.get("items") or [] if isinstance(i, dict) and i.get(key)]


def fetch_ptv_v12(out_dir: Path, *, base_url: str | None = None, api_key: str | None = None, force: bool = False,
                  progress: bool = True, organization_types: tuple[str, ...] = NGO_TYPES,
                  counties: tuple[str, ...] | None = None, limit: int | None = None,
                  page_size: int = MAX_PAGE_SIZE, codes: bool = True, **opts: Any) -> FetchResult:
    """Fetch PTV v12 organisations of ``organization_types`` with their services, channels and connections, plus
    the code lists, into ``out_dir/ptv/v12/``. ``counties``: wellbeing services county codes for the server-side
    area filter (default ``JARJESTOKARTTA_PTV_V12_COUNTIES``, comma-separated; none = whole country).
    ``limit``: at most this many organisations (trial runs). Other ``opts`` go to the HTTP client."""
    t0 = time.perf_counter()
    key = (api_key if api_key is not None else os.environ.get(ENV_KEY, "")).strip()
    if not key:
        raise EtlError(NO_KEY_MESSAGE)
    root = base_url_v12(base_url)
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    if counties is None:
        counties = tuple(c.strip() for c in os.environ.get(ENV_COUNTIES, "").split(",") if c.strip())
    final = Path(out_dir) / SOURCE / "v12"
    work = Path(out_dir) / SOURCE / ".v12.partial"
    shutil.rmtree(work, ignore_errors=True)
    result = FetchResult(SOURCE)
    client_opts = {k: opts[k] for k in CLIENT_OPTS if k in opts and opts[k] is not None}
    try:
        with Client(SOURCE, headers={"x-api-key": key}, **client_opts) as client, make_progress(progress) as bar:
            files: list[Path] = []

            def save(rel: str, page: CachedPage) -> None:
                files.append(client.save_page(work / rel, page))

            # 1. organisations (server-side filter by type and, optionally, wellbeing services county)
            params: dict[str, Any] = {"organizationTypes": ",".join(organization_types)}
            org_ids: list[str] = []
            for batch_no, county_batch in enumerate(_batches(list(counties)) if counties else [[]], start=1):
                if county_batch:
                    params["wellbeingServicesCounties"] = ",".join(county_batch)
                task = bar.add_task("PTV v12 organisations", total=None)
                for n, page in iter_pages(client, f"{root}/api/v12/organization/search", params,
                                          what="/api/v12/organization/search", force=force, page_size=page_size):
                    prefix = f"c{batch_no:04d}_" if counties else ""
                    save(f"organizations/{prefix}page_{n:04d}.json", page)
                    org_ids += _ids(page)
                    bar.update(task, total=int(page.doc.get("totalPages") or 1))
                    bar.advance(task)
                    if limit is not None and len(org_ids) >= limit:
                        break
            org_ids = list(dict.fromkeys(org_ids))[:limit] if limit is not None else list(dict.fromkeys(org_ids))

            # 2. services and channels of those organisations (<= 20 ids per filter)
            service_ids: list[str] = []
            batches = list(_batches(org_ids))
            task = bar.add_task("PTV v12 services + channels", total=len(batches))
            for b, ids in enumerate(batches, start=1):
                for kind, path in (("services", "/api/v12/service/search"),
                                   ("channels", "/api/v12/service-channel/search")):
                    for n, page in iter_pages(client, f"{root}{path}", {"organizationContentIds": ",".join(ids)},
                                              what=f"{path} batch {b}", force=force, page_size=page_size):
                        save(f"{kind}/b{b:04d}_page_{n:04d}.json", page)
                        if kind == "services":
                            service_ids += _ids(page)
                bar.advance(task)

            # 3. connections of those services
            batches = list(_batches(list(dict.fromkeys(service_ids))))
            task = bar.add_task("PTV v12 connections", total=len(batches))
            for b, ids in enumerate(batches, start=1):
                for n, page in iter_pages(client, f"{root}/api/v12/connection/search",
                                          {"serviceContentIds": ",".join(ids)},
                                          what=f"/api/v12/connection/search batch {b}", force=force,
                                          page_size=page_size):
                    save(f"connections/b{b:04d}_page_{n:04d}.json", page)
                bar.advance(task)

            # 4. reference data: code names and region / county members
            if codes:
                for endpoint in CODE_ENDPOINTS:
                    for n, page in iter_pages(client, f"{root}/api/v12/{endpoint}", {},
                                              what=f"/api/v12/{endpoint}", force=force, page_size=page_size):
                        save(f"codes/{endpoint}_page_{n:04d}.json", page)
            result.requests, result.bytes = client.requests, client.bytes
        _swap_in(work, final)
        result.files = [final / f.relative_to(work) for f in files]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result.seconds = time.perf_counter() - t0
    return result


def _swap_in(work: Path, final: Path) -> None:
    """Replace ``final`` by the complete ``work`` folder (old folder kept aside until the new one is in place)."""
    old = final.with_name(".v12.old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    try:
        os.replace(work, final)
    except OSError:
        if old.exists():
            os.replace(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)


def base_url_v12(explicit: str | None = None) -> str:
    root = base_url(explicit, ENV_V12_URL, V12_DEFAULT_URL)
    if root.endswith("/api/v12"):
        root = root[: -len("/api/v12")]
    if not root.startswith(("http://", "https://")):
        raise EtlError(f"PTV v12 base URL {root!r} is not http(s)")
    return root
