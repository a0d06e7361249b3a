"""PTV API v12 fetch against the local 127.0.0.1 server of tests/test_fetch.py (no other host is ever contacted):
pagination to the last page, the x-api-key header, 401/403 with a plain message, 429 Retry-After, a truncated body,
the id batches of 20, and that a failed run never replaces a good earlier fetch."""
from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest

from etl.context import EtlError
from etl.fetch import run_fetch
from etl.fetch.http import LOOPBACK_ENV
from etl.fetch.ptv_v12 import fetch_ptv_v12
from etl.load.readers import read_json
from etl.ptv.settings import KEY_GUIDE_URL
from tests.test_fetch import FAST, Plan, Server, check_sidecar, jplan, server  # noqa: F401  (server: a fixture)

FIX = Path(__file__).parent / "fixtures" / "ptv_v12" / "v12" / "ptv" / "v12"
KEY = "test-key-123"
CODE_ENDPOINTS = ("service-classes", "target-groups", "life-events", "region-codes",
                  "wellbeing-services-county-codes")


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv(LOOPBACK_ENV, "1")
    for var in ("JARJESTOKARTTA_PTV_API_VERSION", "JARJESTOKARTTA_PTV_API_KEY", "JARJESTOKARTTA_PTV_V12_URL",
                "JARJESTOKARTTA_PTV_V12_COUNTIES", "JARJESTOKARTTA_PTV_URL"):
        monkeypatch.delenv(var, raising=False)


def page(items, n, size, total):
    return {"page": n, "pageSize": size, "totalItems": total, "totalPages": -(-total // size), "items": items}


def fixture_items(rel: str) -> list[dict]:
    return read_json(FIX / rel)["items"]


def setup_v12(server: Server, *, org_plan_2: Plan | None = None, service_plan_1: Plan | None = None) -> dict:
    """3 NGO organisations over 2 pages (page size 2), 3 services over 2 pages, 1 channel page, 1 connection page,
    code lists (service classes over 2 pages). Items are the hand-made v12 fixtures. Returns {route: body}."""
    ngos = fixture_items("organizations/page_0001.json")[:2]
    third = copy.deepcopy(ngos[1])
    third["contentId"] = "a5000000-0000-4000-8000-000000000005"
    orgs = ngos + [third]
    ids = ",".join(o["contentId"] for o in orgs)
    services = [s for s in fixture_items("services/b0001_page_0001.json") if s["organizationContentId"] !=
                "a3000000-0000-4000-8000-000000000003"]
    channels = fixture_items("channels/b0001_page_0001.json")[:1]
    conns = fixture_items("connections/b0001_page_0001.json")[:3]
    served: dict[str, bytes] = {}

    def add(path, params, doc, plan=None):
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        served[f"{path}|{params.get('page')}"] = body
        server.add(path, {**params, "pageSize": 2}, *( [plan] if plan else [] ), Plan(body=body))

    for n, chunk in enumerate((orgs[:2], orgs[2:]), start=1):
        add("/api/v12/organization/search", {"organizationTypes": "Organization", "page": n}, page(chunk, n, 2, 3),
            org_plan_2 if n == 2 else None)
    for n, chunk in enumerate((services[:2], services[2:]), start=1):
        add("/api/v12/service/search", {"organizationContentIds": ids, "page": n}, page(chunk, n, 2, 3),
            service_plan_1 if n == 1 else None)
    add("/api/v12/service-channel/search", {"organizationContentIds": ids, "page": 1}, page(channels, 1, 2, 1))
    for n, chunk in enumerate((conns[:2], conns[2:]), start=1):
        add("/api/v12/connection/search", {"serviceContentIds": ",".join(s["contentId"] for s in services),
                                           "page": n}, page(chunk, n, 2, 3))
    classes = fixture_items("codes/service-classes_page_0001.json")
    for n, chunk in enumerate((classes[:2], classes[2:]), start=1):
        add("/api/v12/service-classes", {"page": n}, page(chunk, n, 2, 3))
    for endpoint in CODE_ENDPOINTS[1:]:
        items = fixture_items(f"codes/{endpoint}_page_0001.json") if (FIX / f"codes/{endpoint}_page_0001.json"
                                                                      ).exists() else []
        add(f"/api/v12/{endpoint}", {"page": 1}, page(items[:2], 1, 2, len(items[:2])))
    return served


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_fetch_only_ptv_uses_v12_when_a_key_is_set(server, tmp_path, monkeypatch):
    served = setup_v12(server)
    monkeypatch.setenv("JARJESTOKARTTA_PTV_API_KEY", KEY)
    monkeypatch.setenv("JARJESTOKARTTA_PTV_V12_URL", server.url)
    out = tmp_path / "raw"
    [res] = run_fetch(["ptv"], out, progress=False,
                      opts={"ptv": {**{k: v for k, v in FAST.items() if k != "progress"},
                                    "cache_dir": tmp_path / "cache", "page_size": 2}})
    names = sorted(str(p.relative_to(out)) for p in res.files)
    assert names == sorted([
        "ptv/v12/organizations/page_0001.json", "ptv/v12/organizations/page_0002.json",
        "ptv/v12/services/b0001_page_0001.json", "ptv/v12/services/b0001_page_0002.json",
        "ptv/v12/channels/b0001_page_0001.json",
        "ptv/v12/connections/b0001_page_0001.json", "ptv/v12/connections/b0001_page_0002.json",
        "ptv/v12/codes/service-classes_page_0001.json", "ptv/v12/codes/service-classes_page_0002.json",
        *[f"ptv/v12/codes/{e}_page_0001.json" for e in CODE_ENDPOINTS[1:]],
    ])
    assert res.requests == len(names) == server.count() == 13
    # every request carried the key; nothing saved is anything but the raw answer
    assert [h.get("x-api-key") for h in server.headers] == [KEY] * 13
    assert (out / "ptv/v12/organizations/page_0002.json").read_bytes() == \
        served["/api/v12/organization/search|2"]
    assert (out / "ptv/v12/services/b0001_page_0001.json").read_bytes() == served["/api/v12/service/search|1"]
    for p in res.files:
        meta = check_sidecar(p, "ptv")
        assert meta["url"].startswith(server.url + "/api/v12/")
    meta = json.loads((out / "ptv/v12/services/b0001_page_0002.json.meta.json").read_text())
    assert "organizationContentIds=a1000000-0000-4000-8000-000000000001," in meta["url"]
    assert "page=2" in meta["url"] and "pageSize=2" in meta["url"]
    assert not (out / "ptv" / ".v12.partial").exists()
    # a rerun answers from the page cache
    before = server.count()
    fetch_ptv_v12(out, base_url=server.url, api_key=KEY, cache_dir=tmp_path / "cache", page_size=2, **FAST)
    assert server.count() == before


def test_missing_key_stops_before_any_request(server, tmp_path):
    with pytest.raises(EtlError) as e:
        run_fetch(["ptv"], tmp_path, progress=False, opts={"ptv": {"api_version": "12", "v12_base_url": server.url}})
    assert "PTV API v12 needs an API key: set JARJESTOKARTTA_PTV_API_KEY" in str(e.value)
    assert "Suomi.fi developer documentation for PTV API version 12" in str(e.value)
    assert KEY_GUIDE_URL in str(e.value)
    assert server.count() == 0 and not (tmp_path / "ptv").exists()


def _good_old_fetch(out: Path) -> dict[str, str]:
    old = out / "ptv" / "v12" / "organizations"
    old.mkdir(parents=True)
    (old / "page_0001.json").write_text(json.dumps(page([], 1, 100, 0)), encoding="utf-8")
    (old / "page_0001.json.meta.json").write_text('{"source": "ptv"}', encoding="utf-8")
    return tree(out / "ptv")


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("where", ["first", "later"])
def test_refused_key_plain_message_and_old_files_kept(server, tmp_path, status, where):
    refused = Plan(status, b'{"title": "Unauthorized"}')
    setup_v12(server, org_plan_2=refused if where == "later" else None)
    if where == "first":
        server.add("/api/v12/organization/search", {"organizationTypes": "Organization", "page": 1, "pageSize": 2},
                   refused)
    out = tmp_path / "raw"
    before = _good_old_fetch(out)
    with pytest.raises(EtlError) as e:
        fetch_ptv_v12(out, base_url=server.url, api_key="wrong", cache_dir=tmp_path / "cache", page_size=2, **FAST)
    assert str(e.value).startswith(f"PTV API v12 refused the API key (HTTP {status}).")
    assert "Suomi.fi developer documentation for PTV API version 12" in str(e.value)
    assert tree(out / "ptv") == before                  # the good earlier fetch is untouched, no partial folder
    assert server.count() == (1 if where == "first" else 2)   # a refused key is not retried


def test_429_retry_after_is_honoured(server, tmp_path):
    setup_v12(server, org_plan_2=Plan(429, b"{}", headers={"Retry-After": "0.3"}))
    out = tmp_path / "raw"
    res = fetch_ptv_v12(out, base_url=server.url, api_key=KEY, cache_dir=tmp_path / "cache", page_size=2, **FAST)
    assert (out / "ptv/v12/organizations/page_0002.json").is_file()
    hits = [t for t, k in server.log if k.startswith("/api/v12/organization/search") and "page=2&" in k]
    assert len(hits) == 2 and hits[1] - hits[0] >= 0.3
    assert res.requests == server.count()


def test_truncated_body_leaves_the_old_files_in_place(server, tmp_path):
    setup_v12(server)
    ids_route = next(k for k in server.routes if k.startswith("/api/v12/service/search") and "page=1&" in k)
    server.routes[ids_route] = [Plan(body=b'{"page": 1, "items": [', truncate=True)]
    out = tmp_path / "raw"
    before = _good_old_fetch(out)
    with pytest.raises(EtlError) as e:
        fetch_ptv_v12(out, base_url=server.url, api_key=KEY, cache_dir=tmp_path / "cache", page_size=2,
                      max_attempts=3, **FAST)
    assert "failed after 3 attempts" in str(e.value) and "/api/v12/service/search" in str(e.value)
    assert tree(out / "ptv") == before
    # the same answer arriving whole on a later attempt is fine
    server.routes[ids_route] = [Plan(body=b'{"page": 1, "items": [', truncate=True),
                                Plan(body=json.dumps(page(fixture_items("services/b0001_page_0001.json")[:2],
                                                          1, 2, 3)).encode())]
    fetch_ptv_v12(out, base_url=server.url, api_key=KEY, cache_dir=tmp_path / "cache", page_size=2, **FAST)
    assert len(read_json(out / "ptv/v12/services/b0001_page_0001.json")["items"]) == 2
    assert len(read_json(out / "ptv/v12/organizations/page_0001.json")["items"]) == 2   # the new fetch, whole


def test_pagination_ending_early_names_the_page(server, tmp_path):
    setup_v12(server)
    route = next(k for k in server.routes if k.startswith("/api/v12/organization/search") and "page=2&" in k)
    server.routes[route] = [jplan(page([], 2, 2, 3))]      # every attempt: page 2 of 2 with no items
    with pytest.raises(EtlError, match="pagination ended early: /api/v12/organization/search page 2 of 2 is empty"):
        fetch_ptv_v12(tmp_path, base_url=server.url, api_key=KEY, cache_dir=tmp_path / "cache", page_size=2,
                      max_attempts=2, **FAST)


def test_ids_go_20_per_filter(server, tmp_path):
    orgs = [{"contentId": f"a0000000-0000-4000-8000-{i:012d}", "organizationType": "Organization"}
            for i in range(1, 22)]
    server.add("/api/v12/organization/search", {"organizationTypes": "Organization", "page": 1, "pageSize": 100},
               jplan(page(orgs, 1, 100, 21)))
    for ids in (orgs[:20], orgs[20:]):
        joined = ",".join(o["contentId"] for o in ids)
        for path in ("/api/v12/service/search", "/api/v12/service-channel/search"):
            server.add(path, {"organizationContentIds": joined, "page": 1, "pageSize": 100}, jplan(page([], 1, 100, 0)))
    res = fetch_ptv_v12(tmp_path, base_url=server.url, api_key=KEY, cache_dir=tmp_path / "cache", codes=False, **FAST)
    assert server.count() == 5 and res.requests == 5
    assert sorted(p.relative_to(tmp_path).as_posix() for p in res.files) == [
        "ptv/v12/channels/b0001_page_0001.json", "ptv/v12/channels/b0002_page_0001.json",
        "ptv/v12/organizations/page_0001.json",
        "ptv/v12/services/b0001_page_0001.json", "ptv/v12/services/b0002_page_0001.json"]


def test_version_setting_11_keeps_the_open_v11_api_even_with_a_key(server, tmp_path, monkeypatch):
    from tests.test_fetch import setup_ptv
    setup_ptv(server)
    monkeypatch.setenv("JARJESTOKARTTA_PTV_API_KEY", KEY)
    monkeypatch.setenv("JARJESTOKARTTA_PTV_API_VERSION", "11")
    monkeypatch.setenv("JARJESTOKARTTA_PTV_URL", server.url + "/api/v11")
    [res] = run_fetch(["ptv"], tmp_path, progress=False,
                      opts={"ptv": {**{k: v for k, v in FAST.items() if k != "progress"},
                                    "cache_dir": tmp_path / "cache", "batch_size": 3}})
    assert res.files and all("/ptv/v12/" not in str(p) for p in res.files)
    assert (tmp_path / "ptv/organizations/page_0001.json").is_file() and not (tmp_path / "ptv/v12").exists()
    assert server.count("/api/v11/") == server.count() == 14
    assert all("x-api-key" not in h for h in server.headers)     # the key goes to v12 only
