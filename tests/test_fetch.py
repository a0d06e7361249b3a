"""The fetch layer against a local 127.0.0.1 server (no other host is ever contacted).

The server answers from a route table: (path, sorted query) -> a list of planned responses, consumed one per
request (the last one repeats). Pages are hand-made (tests/fixtures/http/ and small dicts below).
"""
from __future__ import annotations

import csv
import hashlib
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from etl.context import EtlError
from etl.fetch import FETCHERS
from etl.fetch.http import Client, LOOPBACK_ENV, meta_path
from etl.fetch.ptv import fetch_ptv
from etl.fetch.sotkanet import fetch_sotkanet, read_county_ids, region_map
from etl.fetch.statfi import (KEY_COLUMNS, build_key_rows, fetch_statfi, validate_feature_collection)
from etl.fetch.stea import EXPORT_COLUMNS, fetch_stea
from etl.fetch.ytj import fetch_ytj
from etl.sources import SOURCES

FIX = Path(__file__).parent / "fixtures" / "http"
FAST = {"wait_initial": 0.001, "wait_max": 0.05, "retry_after_cap": 1.0, "timeout": 2.0, "connect_timeout": 2.0,
        "progress": False}


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    monkeypatch.setenv(LOOPBACK_ENV, "1")
    for var in ("JARJESTOKARTTA_PTV_URL", "JARJESTOKARTTA_YTJ_URL", "JARJESTOKARTTA_STEA_URL",
                "JARJESTOKARTTA_SOTKANET_URL", "JARJESTOKARTTA_STATFI_WFS_URL",
                "JARJESTOKARTTA_STATFI_CLASSIFICATION_URL", "JARJESTOKARTTA_PTV_API_VERSION",
                "JARJESTOKARTTA_PTV_API_KEY", "JARJESTOKARTTA_PTV_V12_URL", "JARJESTOKARTTA_PTV_V12_COUNTIES"):
        monkeypatch.delenv(var, raising=False)


# -- local server ------------------------------------------------------------------------------------------------
@dataclass
class Plan:
    status: int = 200
    body: bytes = b""
    headers: dict | None = None
    sleep: float = 0.0
    truncate: bool = False     # announce Content-Length larger than the body, then close


def key(path: str, params: dict | None = None) -> str:
    items = sorted((k, str(x)) for k, v in (params or {}).items()
                   for x in (v if isinstance(v, (list, tuple)) else [v]))
    return path + ("?" + urlencode(items) if items else "")


def jplan(doc, **kw) -> Plan:
    return Plan(body=json.dumps(doc).encode("utf-8"), **kw)


class Server:
    def __init__(self) -> None:
        self.routes: dict[str, list[Plan]] = {}
        self.log: list[tuple[float, str]] = []
        self.headers: list[dict[str, str]] = []     # request headers, one dict per request (in log order)
        srv = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):   # quiet
                pass

            def do_GET(self):   # noqa: N802
                parts = urlsplit(self.path)
                k = parts.path + ("?" + urlencode(sorted(parse_qsl(parts.query))) if parts.query else "")
                srv.log.append((time.monotonic(), k))
                srv.headers.append({h.lower(): v for h, v in self.headers.items()})
                plans = srv.routes.get(k)
                if not plans:
                    plan = Plan(404, b'{"error": "not found"}')
                else:
                    plan = plans.pop(0) if len(plans) > 1 else plans[0]
                if plan.sleep:
                    time.sleep(plan.sleep)
                self.send_response(plan.status)
                headers = {"Content-Type": "application/json", **(plan.headers or {})}
                for h, v in headers.items():
                    self.send_header(h, v)
                length = len(plan.body) + (100 if plan.truncate else 0)
                self.send_header("Content-Length", str(length))
                if plan.truncate:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                try:
                    self.wfile.write(plan.body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def add(self, path: str, params: dict | None, *plans: Plan) -> None:
        self.routes[key(path, params)] = list(plans)

    def count(self, prefix: str = "") -> int:
        return sum(1 for _, k in self.log if k.startswith(prefix))


@pytest.fixture()
def server():
    s = Server()
    s.thread.start()
    try:
        yield s
    finally:
        s.httpd.shutdown()
        s.httpd.server_close()
        s.thread.join(timeout=5)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_sidecar(path: Path, source: str) -> dict:
    meta = json.loads(meta_path(path).read_text("utf-8"))
    assert meta["source"] == source
    assert meta["sha256"] == sha(path)
    assert meta["bytes"] == path.stat().st_size
    assert meta["status"] == 200
    assert meta["retrieved_at"].endswith("Z")
    return meta


# -- PTV -------------------------------------------------------------------------------------------------------
def org(i: int, typ: str = "Organization") -> dict:
    return {"id": f"00000000-0000-0000-0000-{i:012d}", "organizationType": typ, "businessCode": "2408739-0",
            "organizationNames": [{"type": "Name", "language": "fi", "value": f"Yhdistys {i}"}]}


def setup_ptv(server: Server, *, broken_page: Plan | None = None) -> None:
    """5 organisations over 3 guid pages (2+2+1); orgs 1-4 are NGOs, org 5 a municipality."""
    orgs = [org(1), org(2), org(3), org(4), org(5, "Municipality")]
    pages = [orgs[0:2], orgs[2:4], orgs[4:5]]
    for n, page in enumerate(pages, start=1):
        doc = {"pageNumber": n, "pageSize": 2, "pageCount": 3,
               "itemList": [{"id": o["id"], "name": "x"} for o in page]}
        plan = broken_page if (broken_page and n == 2) else jplan(doc)
        server.add("/api/v11/Organization", {"page": n}, plan)
    # batches of 3: orgs 1-3, orgs 4-5
    server.add("/api/v11/Organization/list", {"guids": ",".join(o["id"] for o in orgs[0:3])}, jplan(orgs[0:3]))
    server.add("/api/v11/Organization/list", {"guids": ",".join(o["id"] for o in orgs[3:5])}, jplan(orgs[3:5]))
    for o in orgs[:4]:
        oid = o["id"]
        count = 2 if o is orgs[0] else 1
        for n in range(1, count + 1):
            server.add("/api/v11/Service/list/organization", {"organizationId": oid, "page": n},
                       jplan({"pageNumber": n, "pageSize": 1, "pageCount": count,
                              "itemList": [{"id": f"svc-{oid[-2:]}-{n}"}]}))
        channels = {"pageNumber": 1, "pageSize": 100, "pageCount": 0, "itemList": None}
        if o is orgs[0]:
            channels = {"pageNumber": 1, "pageSize": 100, "pageCount": 1,
                        "itemList": [{"id": "ch-1", "organizationId": oid}]}
        server.add("/api/v11/ServiceChannel/list/organization", {"organizationId": oid, "page": 1}, jplan(channels))


def test_ptv_paging_batches_files_and_sidecars(server, tmp_path):
    setup_ptv(server)
    out, cache = tmp_path / "raw", tmp_path / "cache"
    res = fetch_ptv(out, base_url=server.url + "/api/v11", batch_size=3, cache_dir=cache, **FAST)
    names = sorted(str(p.relative_to(out)) for p in res.files)
    o1 = "00000000-0000-0000-0000-000000000001"
    assert names == sorted([
        "ptv/organizations/page_0001.json", "ptv/organizations/page_0002.json",
        f"ptv/services/org_{o1}_0001.json", f"ptv/services/org_{o1}_0002.json",
        *[f"ptv/services/org_00000000-0000-0000-0000-00000000000{i}_0001.json" for i in (2, 3, 4)],
        f"ptv/channels/org_{o1}_0001.json",
    ])
    # 3 guid pages + 2 batches + 5 service pages + 4 channel pages
    assert res.requests == 14 == server.count()
    assert [o["id"][-1] for o in json.loads((out / "ptv/organizations/page_0001.json").read_text())] == ["1", "2", "3"]
    assert [o["organizationType"] for o in json.loads((out / "ptv/organizations/page_0002.json").read_text())] == \
        ["Organization", "Municipality"]
    for p in res.files:
        meta = check_sidecar(p, "ptv")
        assert meta["url"].startswith(server.url + "/api/v11/")
    meta = json.loads(meta_path(out / "ptv/organizations/page_0002.json").read_text())
    assert meta["url"] == (server.url + "/api/v11/Organization/list?guids="
                           "00000000-0000-0000-0000-000000000004,00000000-0000-0000-0000-000000000005")


def test_ptv_resumable_cache_and_force(server, tmp_path):
    setup_ptv(server)
    out, cache = tmp_path / "raw", tmp_path / "cache"
    first = fetch_ptv(out, base_url=server.url + "/api/v11", batch_size=3, cache_dir=cache, **FAST)
    assert first.requests == 14
    before = {p: sha(p) for p in first.files}
    second = fetch_ptv(out, base_url=server.url + "/api/v11", batch_size=3, cache_dir=cache, **FAST)
    assert second.requests == 0 and server.count() == 14
    assert {p: sha(p) for p in second.files} == before
    third = fetch_ptv(out, base_url=server.url + "/api/v11", batch_size=3, cache_dir=cache, force=True, **FAST)
    assert third.requests == 14 and server.count() == 28


def test_ptv_limit(server, tmp_path):
    setup_ptv(server)
    server.add("/api/v11/Organization/list", {"guids": ",".join(org(i)["id"] for i in (1, 2))},
               jplan([org(1), org(2)]))
    res = fetch_ptv(tmp_path, base_url=server.url + "/api/v11", limit=2, services=False,
                    cache_dir=tmp_path / "c", **FAST)
    assert [p.name for p in res.files] == ["page_0001.json"]
    assert res.requests == 2     # guid page 1 only, then one batch


def test_ptv_pagination_ends_early_names_page(server, tmp_path):
    empty = jplan({"pageNumber": 2, "pageSize": 2, "pageCount": 3, "itemList": []})
    setup_ptv(server, broken_page=empty)
    with pytest.raises(EtlError) as e:
        fetch_ptv(tmp_path, base_url=server.url + "/api/v11", cache_dir=tmp_path / "c", max_attempts=2, **FAST)
    msg = str(e.value)
    assert "page=2" in msg and "/Organization page 2 of 3 is empty" in msg and "2 attempts" in msg
    assert not (tmp_path / "ptv").exists()
    # nothing bad was cached: once page 2 is fine, a rerun asks for page 2 again but not for page 1
    server.add("/api/v11/Organization", {"page": 2}, jplan({"pageNumber": 2, "pageSize": 2, "pageCount": 3,
                                                            "itemList": [{"id": org(i)["id"]} for i in (3, 4)]}))
    res = fetch_ptv(tmp_path, base_url=server.url + "/api/v11", batch_size=3, cache_dir=tmp_path / "c", **FAST)
    assert server.count("/api/v11/Organization?page=1") == 1 and server.count("/api/v11/Organization?page=2") == 3
    assert len(res.files) == 8


def test_ptv_fewer_pages_than_page_count(server, tmp_path):
    shrunk = jplan({"pageNumber": 2, "pageSize": 2, "pageCount": 2, "itemList": [{"id": "x"}]})
    setup_ptv(server, broken_page=shrunk)
    with pytest.raises(EtlError, match=r"page=2 .*pageCount 2, page 1 said 3"):
        fetch_ptv(tmp_path, base_url=server.url + "/api/v11", cache_dir=tmp_path / "c", max_attempts=1, **FAST)


# -- retries -----------------------------------------------------------------------------------------------------
def client(tmp_path, **kw) -> Client:
    opts = {k: v for k, v in FAST.items() if k != "progress"}
    return Client("test", cache_dir=tmp_path / "cache", **{**opts, **kw})


def test_timeout_then_success(server, tmp_path):
    server.add("/doc", None, jplan({"ok": 1}, sleep=0.6), jplan({"ok": 2}))
    with client(tmp_path, timeout=0.2) as c:
        dest = c.download(server.url + "/doc", tmp_path / "doc.json")
        assert c.requests == 2
    assert json.loads(dest.read_text()) == {"ok": 2}
    check_sidecar(dest, "test")


def test_429_retry_after_honoured(server, tmp_path):
    server.add("/doc", None, jplan({}, status=429, headers={"Retry-After": "0.3"}), jplan({"ok": True}))
    with client(tmp_path) as c:
        t0 = time.monotonic()
        doc = c.get_json(server.url + "/doc")
        assert doc == {"ok": True}
        assert c.waits == [0.3]
    (t1, _), (t2, _) = server.log
    assert t2 - t1 >= 0.3 and time.monotonic() - t0 >= 0.3


def test_429_integer_retry_after_is_capped(server, tmp_path):
    server.add("/doc", None, jplan({}, status=429, headers={"Retry-After": "120"}), jplan([1]))
    with client(tmp_path, retry_after_cap=0.05) as c:
        assert c.get_json(server.url + "/doc") == [1]
        assert c.waits == [0.05]


def test_5xx_then_clear_error(server, tmp_path):
    server.add("/doc", {"a": "1"}, jplan({"e": 1}, status=503))
    with client(tmp_path, max_attempts=4) as c, pytest.raises(EtlError) as e:
        c.get_json(server.url + "/doc", {"a": 1})
    assert str(e.value) == f"GET {server.url}/doc?a=1 failed after 4 attempts; last error: HTTP 503"
    assert server.count("/doc") == 4


def test_4xx_is_not_retried(server, tmp_path):
    server.add("/doc", None, jplan({}, status=403))
    with client(tmp_path) as c, pytest.raises(EtlError, match="HTTP 403"):
        c.get_json(server.url + "/doc")
    assert server.count() == 1


@pytest.mark.parametrize("bad", [
    Plan(body=b'{"half": "a JSON doc', truncate=True),
    Plan(body=b'{"not json'),
    Plan(body=b"<html>maintenance</html>"),
])
def test_bad_bodies_retried_and_good_file_kept(server, tmp_path, bad):
    dest = tmp_path / "doc.json"
    dest.write_bytes(b'{"good": true}\n')
    before = dest.read_bytes()
    server.add("/doc", None, bad)
    with client(tmp_path, max_attempts=3) as c, pytest.raises(EtlError) as e:
        c.download(server.url + "/doc", dest)
    assert "failed after 3 attempts" in str(e.value) and f"{server.url}/doc" in str(e.value)
    assert server.count("/doc") == 3
    assert dest.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["doc.json"]   # no temp file, no sidecar


def test_truncated_then_good(server, tmp_path):
    server.add("/doc", None, Plan(body=b'{"a": 1', truncate=True), jplan({"a": 1}))
    with client(tmp_path) as c:
        dest = c.download(server.url + "/doc", tmp_path / "d.json")
        assert c.requests == 2
    assert dest.read_bytes() == b'{"a": 1}'


def test_loopback_only_refuses_other_hosts(tmp_path):
    with client(tmp_path) as c, pytest.raises(EtlError, match="loopback only"):
        c.get_json("https://api.palvelutietovaranto.suomi.fi/api/v11/Organization")
    assert c.requests == 0
    # a fetcher's default (live) URL is refused too, before any connection
    with pytest.raises(EtlError, match="refusing to contact 'sotkanet.fi'"):
        fetch_sotkanet(tmp_path, **FAST)


def test_redirect_to_other_host_refused(server, tmp_path):
    server.add("/doc", None, Plan(302, b"", headers={"Location": "https://example.org/doc"}))
    with client(tmp_path) as c, pytest.raises(EtlError, match="refusing to contact 'example.org'"):
        c.get_json(server.url + "/doc")


# -- STEA ------------------------------------------------------------------------------------------------------
def test_stea_404_skipped_and_export(server, tmp_path):
    server.add("/api/organisation/774", None, Plan(body=(FIX / "stea_organisation_774.json").read_bytes()))
    server.add("/api/organisation/775", None, Plan(404, b"{}"))
    server.add("/api/organisation/776", None, jplan({}, status=500), jplan({"organisationId": 776, "name": "B",
                                                                            "businessId": None}))
    res = fetch_stea(tmp_path, base_url=server.url, ids=[774, 775, 776], delay=0, date="2026-01-02",
                     cache_dir=tmp_path / "c", **FAST)
    assert res.skipped == ["775"]
    assert [p.name for p in res.files] == ["organisation_774.json", "organisation_776.json", "stea_api_2026-01-02.csv"]
    for p in res.files:
        check_sidecar(p, "stea")
    with open(tmp_path / "stea" / "stea_api_2026-01-02.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == EXPORT_COLUMNS
    assert rows == [
        {"jarjesto": "Esimerkkiyhdistys ry", "y_tunnus": "2408739-0", "vuosi": "2024",
         "kayttotarkoitus": "Vertaistukitoiminta", "avustuslaji": "Ak", "alue": "Pirkanmaa", "haettu": "100000",
         "ehdotettu": "90000", "myonnetty": "90000"},
        {"jarjesto": "Esimerkkiyhdistys ry", "y_tunnus": "2408739-0", "vuosi": "2025",
         "kayttotarkoitus": "Yleisavustus", "avustuslaji": "", "alue": "", "haettu": "50000", "ehdotettu": "0",
         "myonnetty": "0"},
    ]
    # rerun: the 404 is remembered, the rest comes from the cache
    again = fetch_stea(tmp_path, base_url=server.url, ids=[774, 775, 776], delay=0, date="2026-01-02",
                       cache_dir=tmp_path / "c", **FAST)
    assert again.requests == 0 and again.skipped == ["775"]
    # a later run for one more id: the CSV still covers every organisation fetched so far, older CSV removed
    server.add("/api/organisation/777", None, jplan({"organisationId": 777, "name": "C", "businessId": "2646674-9",
                                                     "allAidTargets": [{"year": 2026, "granted": 5}]}))
    later = fetch_stea(tmp_path, base_url=server.url, ids=[777], delay=0, date="2026-02-01",
                       cache_dir=tmp_path / "c", **FAST)
    assert later.requests == 1
    assert sorted(p.name for p in (tmp_path / "stea").glob("*.csv")) == ["stea_api_2026-02-01.csv"]
    with open(tmp_path / "stea" / "stea_api_2026-02-01.csv", encoding="utf-8") as f:
        assert [(r["jarjesto"], r["vuosi"], r["myonnetty"]) for r in csv.DictReader(f)] == \
            [("Esimerkkiyhdistys ry", "2024", "90000"), ("Esimerkkiyhdistys ry", "2025", "0"), ("C", "2026", "5")]
    assert not (tmp_path / "stea" / "stea_api_2026-01-02.csv.meta.json").exists()


# -- Sotkanet --------------------------------------------------------------------------------------------------
def test_sotkanet_mapping_to_codes(server, tmp_path, reference_dir):
    server.add("/rest/1.1/regions", None, Plan(body=(FIX / "sotkanet_regions.json").read_bytes()))
    server.add("/rest/1.1/json", {"indicator": 127, "years": [2022, 2023], "genders": "total"},
               Plan(body=(FIX / "sotkanet_indicator_127.json").read_bytes()))
    res = fetch_sotkanet(tmp_path, base_url=server.url + "/rest/1.1", indicators=[127], years=[2022, 2023],
                         names={127: "population_total"}, units={127: "persons"}, reference_dir=reference_dir,
                         cache_dir=tmp_path / "c", **FAST)
    (path,) = res.files
    assert path == tmp_path / "sotkanet" / "indicator_127.csv"
    check_sidecar(path, "sotkanet")
    assert path.read_text("utf-8") == (
        "area_level,code,indicator,period,value,unit,source\n"
        "area,01,population_total,2023,99000,persons,sotkanet\n"
        "area,90,population_total,2023,674500,persons,sotkanet\n"
        "country,SSS,population_total,2023,5600000,persons,sotkanet\n"
        "municipality,005,population_total,2022,9400,persons,sotkanet\n"
        "municipality,005,population_total,2023,9300,persons,sotkanet\n"
        "municipality,091,population_total,2023,674500,persons,sotkanet\n"
    )


def test_sotkanet_county_ids_from_reference(reference_dir):
    ids = read_county_ids(reference_dir / "need" / "sotkanet_region_ids_hyvinvointialue.csv")
    assert ids["960"] == "90" and ids["880"] == "90" and ids["961"] == "01" and ids["956"] == "91"
    assert len(set(ids.values())) == 23
    assert region_map([{"id": 978, "code": "", "category": "HYVINVOINTIALUE"}], ids) == {"978": ("area", "05")}


# -- Statistics Finland ----------------------------------------------------------------------------------------
def wfs_route(server: Server, year: int, *plans: Plan) -> None:
    server.add("/geoserver/vaestoalue/wfs",
               {"service": "WFS", "version": "2.0.0", "request": "GetFeature",
                "typeNames": f"vaestoalue:kunta_vaki{year}", "outputFormat": "application/json",
                "srsName": "EPSG:3067"}, *plans)


def test_wfs_validation_rejects_number_returned_mismatch():
    doc = json.loads((FIX / "wfs_handmade_2_features.json").read_text())
    assert validate_feature_collection(doc) is doc
    bad = {**doc, "numberReturned": 3}
    with pytest.raises(ValueError, match="numberReturned 3 != 2 features"):
        validate_feature_collection(json.dumps(bad).encode())
    capped = {**doc, "numberMatched": 308}
    with pytest.raises(ValueError, match="numberMatched 308"):
        validate_feature_collection(capped)
    no_prop = json.loads(json.dumps(doc))
    del no_prop["features"][1]["properties"]["vaesto"]
    with pytest.raises(ValueError, match="feature 1 lacks properties vaesto"):
        validate_feature_collection(no_prop)


def test_statfi_wfs_download_and_bad_answer_keeps_file(server, tmp_path):
    good = (FIX / "wfs_handmade_2_features.json").read_bytes()
    wfs_route(server, 2024, Plan(body=good))
    res = fetch_statfi(tmp_path, base_url=server.url + "/geoserver/vaestoalue/wfs", classification=False,
                       cache_dir=tmp_path / "c", **FAST)
    (path,) = res.files
    assert path == tmp_path / "statfi" / "vaestoalue_kunta_vaki2024.json" and path.read_bytes() == good
    meta = check_sidecar(path, "statfi")
    assert "typeNames=vaestoalue:kunta_vaki2024" in meta["url"]
    bad = json.loads(good)
    bad["numberReturned"] = 3
    wfs_route(server, 2024, jplan(bad))
    with pytest.raises(EtlError, match="numberReturned 3 != 2"):
        fetch_statfi(tmp_path, base_url=server.url + "/geoserver/vaestoalue/wfs", classification=False,
                     cache_dir=tmp_path / "c", max_attempts=2, **FAST)
    assert path.read_bytes() == good


def _maps(pairs: list[tuple[str, str, str, str]], lang: str) -> list[dict]:
    return [{"sourceItem": {"code": m, "classificationItemNames": [{"lang": lang, "name": mn}]},
             "targetItem": {"code": t, "classificationItemNames": [{"lang": lang, "name": tn}]}}
            for m, mn, t, tn in pairs]


def test_statfi_classification_key(server, tmp_path):
    root = "/api/classifications/v2/correspondenceTables"
    names = {
        "hyvinvointialue": {"fi": [("091", "Helsinki", "90", "Helsingin kaupunki"),
                                   ("020", "Akaa", "08", "Pirkanmaan hyvinvointialue")],
                            "sv": [("091", "Helsingfors", "90", "Helsingfors stad"),
                                   ("020", "Ackas", "08", "Birkalands välfärdsområde")],
                            "en": [("091", "Helsinki", "90", "City of Helsinki"),
                                   ("020", "Akaa", "08", "Pirkanmaa wellbeing services county")]},
        "maakunta": {lang: [("091", "-", "01", f"Uusimaa-{lang}"), ("20", "-", "06", f"Pirkanmaa-{lang}")]
                     for lang in ("fi", "sv", "en")},
        "seutukunta": {"fi": [("091", "-", "SK011", "Helsinki"), ("020", "-", "SK063", "Etelä-Pirkanmaa")]},
    }
    for target, by_lang in names.items():
        for lang, pairs in by_lang.items():
            server.add(f"{root}/kunta_1_20250101%23{target}_1_20250101/maps",
                       {"content": "data", "meta": "max", "lang": lang, "format": "json"}, jplan(_maps(pairs, lang)))
    # kielisuhde/kuntaryhmitys are not served (404): optional, left empty
    res = fetch_statfi(tmp_path, classification_url=server.url + "/api/classifications/v2", population=False,
                       cache_dir=tmp_path / "c", **FAST)
    (path,) = res.files
    assert path == tmp_path / "statfi" / "municipality_key_2025.csv"
    check_sidecar(path, "statfi")
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == KEY_COLUMNS
    empty = {c: "" for c in KEY_COLUMNS}
    assert rows == [
        {**empty, "municipality_code": "020", "municipality_name_fi": "Akaa", "municipality_name_sv": "Ackas",
         "municipality_name_en": "Akaa", "hyvinvointialue_code": "08",
         "hyvinvointialue_name_fi": "Pirkanmaan hyvinvointialue",
         "hyvinvointialue_name_sv": "Birkalands välfärdsområde",
         "hyvinvointialue_name_en": "Pirkanmaa wellbeing services county", "maakunta_code": "06",
         "maakunta_name_fi": "Pirkanmaa-fi", "maakunta_name_sv": "Pirkanmaa-sv", "maakunta_name_en": "Pirkanmaa-en",
         "seutukunta_code": "063", "seutukunta_name_fi": "Etelä-Pirkanmaa"},
        {**empty, "municipality_code": "091", "municipality_name_fi": "Helsinki",
         "municipality_name_sv": "Helsingfors", "municipality_name_en": "Helsinki", "hyvinvointialue_code": "90",
         "hyvinvointialue_name_fi": "Helsingin kaupunki", "hyvinvointialue_name_sv": "Helsingfors stad",
         "hyvinvointialue_name_en": "City of Helsinki", "maakunta_code": "01", "maakunta_name_fi": "Uusimaa-fi",
         "maakunta_name_sv": "Uusimaa-sv", "maakunta_name_en": "Uusimaa-en", "seutukunta_code": "011",
         "seutukunta_name_fi": "Helsinki"},
    ]
    assert len(res.skipped) == 2 and "kielisuhde" in res.skipped[0] and "kuntaryhmitys" in res.skipped[1]


def test_classification_fixture_shape():
    rows = build_key_rows({"hyvinvointialue": {"fi": json.loads((FIX / "classification_hyvinvointialue_fi.json")
                                                                  .read_text())}})
    assert [(r["municipality_code"], r["hyvinvointialue_code"], r["hyvinvointialue_name_fi"]) for r in rows] == \
        [("020", "08", "Pirkanmaan hyvinvointialue"), ("091", "90", "Helsingin kaupunki")]


# -- YTJ -------------------------------------------------------------------------------------------------------
def test_ytj_chunks_and_rate_limit(server, tmp_path):
    def company(bid):
        return {"businessId": {"value": bid}, "names": [{"name": f"Yhdistys {bid}", "type": "1"}]}
    server.add("/v3/companies", {"businessId": "2408739-0"},
               jplan({}, status=429, headers={"Retry-After": "0.05"}),
               jplan({"totalResults": 1, "companies": [company("2408739-0")]}))
    server.add("/v3/companies", {"businessId": "2646674-9"},
               jplan({"totalResults": 1, "companies": [company("2646674-9")]}))
    server.add("/v3/companies", {"businessId": "0152574-9"}, jplan({"totalResults": 0, "companies": []}))
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("business_id\n2646674-9\n152574-9\n", encoding="utf-8")
    res = fetch_ytj(tmp_path, base_url=server.url + "/v3", business_ids=["2408739-0", "1234567-0"],
                    ids_file=ids_file, chunk_size=2, delay=0.0, cache_dir=tmp_path / "c", **FAST)
    assert res.skipped == ["1234567-0"]
    assert [p.name for p in res.files] == ["companies_0001.json", "companies_0002.json"]
    assert res.requests == 4
    first = json.loads(res.files[0].read_text())
    assert first["totalResults"] == 2
    assert [c["businessId"]["value"] for c in first["companies"]] == ["2408739-0", "2646674-9"]
    assert json.loads(res.files[1].read_text()) == {"totalResults": 0, "companies": []}
    for p in res.files:
        check_sidecar(p, "ytj")


# -- registries ------------------------------------------------------------------------------------------------
def test_registries():
    assert sorted(FETCHERS) == ["ptv", "sotkanet", "statfi", "stea", "ytj"]
    assert {"statfi", "statfi_classification", "ptv", "ytj", "stea", "lahella", "template", "demo", "thl_need",
            "diak", "tem", "sotkanet_swedish"} <= set(SOURCES)
    assert SOURCES["stea"].licence == "licence not stated"
    assert SOURCES["statfi"].licence == "CC BY 4.0"
    for s in SOURCES.values():
        assert s.attribution_fi and s.attribution_sv and s.attribution_en and s.title and s.publisher


def test_run_fetch_unknown_source(tmp_path):
    from etl.fetch import run_fetch
    with pytest.raises(EtlError, match="unknown fetch source"):
        run_fetch(["nope"], tmp_path)
