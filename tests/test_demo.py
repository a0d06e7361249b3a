"""The synthetic demo dataset (etl.demo): deterministic, labelled, parseable, realistic enough to exercise the ETL."""
from __future__ import annotations

import csv
import hashlib
import json
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from etl.bizid import is_valid_business_id
from etl.demo import generate

SCALE = 0.1


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


PUBLIC_SITE = "https://demo.example.org/public/"   # etl/demo/public.py: the public organisations' web addresses


def _json_items(root: Path, folder: str, public: bool = False) -> list[dict]:
    """The PTV items of one folder: the organisations' side (default), or only the public side (issue 10:
    counties, municipalities and the state, appended by etl/demo/public.py)."""
    items: list[dict] = []
    for p in sorted((root / "ptv" / folder).glob("page_*.json")):
        items += json.loads(p.read_text(encoding="utf-8"))["itemList"]
    orgs = items if folder == "organizations" else _json_items(root, "organizations", public=None)
    public_ids = {o["id"] for o in orgs if any(w["url"].startswith(PUBLIC_SITE) for w in o["webPages"])}
    if public is None:
        return items

    def owner(item: dict) -> str:
        if folder == "organizations":
            return item["id"]
        if folder == "channels":
            return item["organizationId"]
        return item["organizations"][0]["organization"]["id"]
    return [i for i in items if (owner(i) in public_ids) == public]


def _template(root: Path) -> list[dict]:
    with open(root / "template" / "toimintarekisteri_demo.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def _lahella(root: Path) -> tuple[list[dict], dict]:
    items, groups = [], {}
    for p in sorted((root / "lahella").glob("activities_*.json")):
        d = json.loads(p.read_text(encoding="utf-8"))
        items += d["items"]
        groups.update(d["groups"])
    return items, groups


def _ytj(root: Path) -> list[dict]:
    out = []
    for p in sorted((root / "ytj").glob("companies_*.json")):
        out += json.loads(p.read_text(encoding="utf-8"))["companies"]
    return out


def _stea(root: Path) -> list[dict]:
    wb = load_workbook(root / "stea" / "stea_avustukset_demo.xlsx", read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    wb.close()
    return [dict(zip(rows[0], r)) for r in rows[1:]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory, offline_dir, reference_dir):
    """The demo with PTV in v11 shape (``ptv_version="11"``): these tests read the PTV records field by field in
    the v11 shape; the default v12 output is the same records converted (tests/test_ptv_v12.py proves it)."""
    out = tmp_path_factory.mktemp("demo")
    res = generate(out, scale=SCALE, seed=42, offline_dir=offline_dir, reference_dir=reference_dir, progress=False,
                   ptv_version="11")
    return out, res


def test_deterministic_and_seed_sensitive(tmp_path, offline_dir, reference_dir):
    kw = dict(scale=0.05, offline_dir=offline_dir, reference_dir=reference_dir, progress=False)
    generate(tmp_path / "a", seed=7, **kw)
    time.sleep(1.1)   # a wall-clock timestamp leaking into any file (e.g. XLSX properties) would now differ
    generate(tmp_path / "b", seed=7, **kw)
    generate(tmp_path / "c", seed=8, **kw)
    a, b, c = (_digest(tmp_path / x) for x in "abc")
    assert a and a == b
    common = set(a) & set(c)
    assert any(a[k] != c[k] for k in common)


def test_marker_and_layout(demo):
    root, res = demo
    marker = json.loads((root / "DEMO.json").read_text(encoding="utf-8"))
    assert marker["synthetic"] is True and marker["generator"] == "etl.demo"
    assert marker["seed"] == 42 and marker["scale"] == SCALE
    for pattern in ("ptv/organizations/page_0001.json", "ptv/services/page_0001.json",
                    "ptv/channels/page_0001.json", "ytj/companies_0001.json", "stea/stea_avustukset_demo.xlsx",
                    "lahella/activities_0001.json", "template/toimintarekisteri_demo.csv"):
        assert (root / pattern).is_file(), pattern
    assert set(res.files) == {p for p in root.rglob("*") if p.is_file()}


def test_all_files_parse_and_envelopes(demo):
    root, _ = demo
    for folder in ("organizations", "services", "channels"):
        pages = sorted((root / "ptv" / folder).glob("page_*.json"))
        for n, p in enumerate(pages, 1):
            d = json.loads(p.read_text(encoding="utf-8"))
            assert d["pageNumber"] == n and d["pageSize"] == 100 and d["pageCount"] == len(pages)
            assert len(d["itemList"]) <= 100
    raw = (root / "template" / "toimintarekisteri_demo.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = _template(root)
    assert list(rows[0]) == ["jarjesto", "y_tunnus", "toiminnan_nimi", "toimintamuoto", "kohderyhmat", "kunnat",
                             "toimintatapa", "valtakunnallinen", "kielet", "kuvaus", "verkkosivu", "paivitetty"]
    assert all(None not in r for r in rows)          # no ragged rows
    items, groups = _lahella(root)
    assert items and all(i["group"] in groups for i in items)
    ytj = _ytj(root)
    assert json.loads((root / "ytj" / "companies_0001.json").read_text("utf-8"))["totalResults"] == len(ytj)
    stea = _stea(root)
    assert {r["avustuslaji"] for r in stea} <= {"Ay", "Ak 6", "Ak 10", "C", "B 5"}
    assert {r["vuosi"] for r in stea} <= set(range(2022, 2027))
    assert any(r["myonnetty"] == 0 for r in stea)


def test_counts_scale(demo):
    root, res = demo
    assert 250 <= res.organisations <= 400
    assert 1200 <= res.activities <= 1900
    services = _json_items(root, "services")
    items, _ = _lahella(root)
    tmpl = _template(root)
    total = len(services) + len(items) + len(tmpl)
    assert 0.70 <= len(services) / total <= 0.90
    assert 0.05 <= len(items) / total <= 0.15
    assert 0.04 <= len(tmpl) / total <= 0.15
    nationwide = [s for s in services if s["areaType"] == "Nationwide"]
    assert 0.01 <= len(nationwide) / len(services) <= 0.08
    orgs = _json_items(root, "organizations")
    other = [o for o in orgs if o["organizationType"] != "Organization"]
    assert 0.01 <= len(other) / len(orgs) <= 0.06
    stea_orgs = {r["jarjesto"] for r in _stea(root)}
    assert 0.15 <= len(stea_orgs) / res.organisations <= 0.35
    # some organisations are known only from STEA (a data gap)
    active = {o["organizationNames"][0]["value"] for o in orgs} | {g["name"] for g in _lahella(root)[1].values()} \
        | {r["jarjesto"] for r in tmpl}
    assert stea_orgs - active


def test_every_name_and_text_is_marked(demo):
    root, _ = demo
    names = [o["organizationNames"][0]["value"] for o in _json_items(root, "organizations")]
    names += [n["name"] for c in _ytj(root) for n in c["names"]]
    names += [g["name"] for g in _lahella(root)[1].values()]
    names += [r["jarjesto"] for r in _stea(root)] + [r["jarjesto"] for r in _template(root)]
    assert names
    for n in names:
        assert "(DEMO)" in n or n.startswith(("Demo", "Kuvitteellinen")), n
    for s in _json_items(root, "services"):
        assert all(d["value"].startswith("[DEMO]") for d in s["serviceDescriptions"])
    for o in _json_items(root, "organizations"):
        assert all(d["value"].startswith("[DEMO]") for d in o["organizationDescriptions"])
    for i in _lahella(root)[0]:
        assert "[DEMO]" in i["traits"]["translations"]["fi"]["summary"]
    assert all(r["kuvaus"].startswith("[DEMO]") for r in _template(root))
    assert all(r["kayttotarkoitus"].startswith("[DEMO]") for r in _stea(root))
    for o in _json_items(root, "organizations"):
        for w in o["webPages"]:
            assert w["url"].startswith("https://demo.example.org/")


def test_public_side_is_marked_and_consistent(demo):
    """Issue 10: every county as a Region organisation, some municipalities, a few State services; marked DEMO."""
    root, _ = demo
    orgs = _json_items(root, "organizations", public=True)
    types = {}
    for o in orgs:
        types.setdefault(o["organizationType"], []).append(o)
        assert "(DEMO)" in o["organizationNames"][0]["value"]
        assert all(d["value"].startswith("[DEMO]") for d in o["organizationDescriptions"])
    assert len(types["Region"]) == 22 and len(types["State"]) == 3 and len(types["Municipality"]) > 10
    services = _json_items(root, "services", public=True)
    channels = {c["id"]: c for c in _json_items(root, "channels", public=True)}
    ids = {o["id"] for o in orgs}
    for s in services:
        assert s["organizations"][0]["organization"]["id"] in ids
        assert all(d["value"].startswith("[DEMO]") for d in s["serviceDescriptions"])
        for ref in s["serviceChannels"]:
            assert channels[ref["serviceChannel"]["id"]]["services"][0]["service"]["id"] == s["id"]
    area_types = {a["type"] for s in services for a in s["areas"]}
    assert {"Municipality", "WellbeingServicesCounty"} <= area_types
    # counties publish county-wide services, some naming only the county code
    assert any(a["type"] == "WellbeingServicesCounty" and not a["municipalities"] for s in services for a in s["areas"])
    assert {s["areaType"] for s in services} == {"LimitedType", "Nationwide", "NationwideExceptAlandIslands"}
    assert sum(c["code"] == "P99.9" for s in services for c in s["serviceClasses"]) == 1
    # small municipalities miss some of the common services: not every municipality has a health-station point
    points = {c["addresses"][0]["streetAddress"]["municipality"]["code"] for c in channels.values()
              if c["serviceChannelType"] == "ServiceLocation" and c["serviceChannelNames"][0]["value"].startswith(
                  "Neuvolapalvelut")}
    assert 150 < len(points) < 292


def test_public_side_does_not_change_the_other_output(demo, tmp_path, offline_dir, reference_dir, monkeypatch):
    """The public records come from their own random stream after everything else: without them every other file
    is byte-identical and the PTV pages hold the same organisation-side items."""
    root, _ = demo
    import etl.demo.dataset as dataset
    monkeypatch.setattr(dataset, "write_public", lambda w, ptv_writer: 0)
    other = tmp_path / "demo"
    generate(other, scale=SCALE, seed=42, offline_dir=offline_dir, reference_dir=reference_dir,
             progress=False, ptv_version="11")
    for f in sorted(p for p in other.rglob("*") if p.is_file() and "ptv" not in p.parts and p.name != "DEMO.json"):
        assert (root / f.relative_to(other)).read_bytes() == f.read_bytes(), f
    for kind in ("organizations", "services", "channels"):
        assert _json_items(root, kind) == _json_items(other, kind)


def test_business_ids_valid_except_planted(demo):
    root, _ = demo
    marker = json.loads((root / "DEMO.json").read_text(encoding="utf-8"))
    planted = {p["business_id"] for p in marker["planted_defects"]["invalid_business_ids"]}
    assert len(planted) >= 3
    ids = [o["businessCode"] for o in _json_items(root, "organizations")]
    ids += [c["businessId"]["value"] for c in _ytj(root)]
    assert len(ids) > 100
    invalid = {i for i in ids if not is_valid_business_id(i)}
    assert invalid and invalid <= planted
    assert all(i.startswith("9") for i in ids)
    tmpl_invalid = {r["y_tunnus"] for r in _template(root) if r["y_tunnus"] and not is_valid_business_id(r["y_tunnus"])}
    assert tmpl_invalid and tmpl_invalid <= planted


def test_planted_defects_and_cross_source_overlap(demo, municipality_rows):
    root, _ = demo
    rows = _template(root)
    names = {m["name_fi"] for m in municipality_rows} | {m["name_sv"] for m in municipality_rows}
    aland = {m["name_fi"] for m in municipality_rows if m["area_code"] == "91"}
    kunnat = [k for r in rows for k in r["kunnat"].split(";") if k]
    assert sum(k not in names for k in kunnat) >= 2          # misspelled
    assert sum(k in aland for k in kunnat) >= 2              # outside the frame
    assert any("<b>" in r["toiminnan_nimi"] for r in rows)
    assert any(not r["y_tunnus"] for r in rows)              # matched by name + municipality
    ptv_ids = {o["businessCode"] for o in _json_items(root, "organizations")}
    assert {r["y_tunnus"] for r in rows} & ptv_ids           # duplicates across sources
    assert any(";" in r["kunnat"] for r in rows) or any(
        len(a["municipalities"]) > 1 for s in _json_items(root, "services") for a in s["areas"])


def test_ptv_references_and_coordinates(demo):
    root, _ = demo
    orgs = {o["id"] for o in _json_items(root, "organizations")}
    channels = {c["id"]: c for c in _json_items(root, "channels")}
    services = _json_items(root, "services")
    for s in services:
        assert s["organizations"][0]["organization"]["id"] in orgs
        for ref in s["serviceChannels"]:
            ch = channels[ref["serviceChannel"]["id"]]
            assert ch["services"][0]["service"]["id"] == s["id"]
    for c in channels.values():
        for a in c["addresses"]:
            lat, lon = float(a["streetAddress"]["latitude"]), float(a["streetAddress"]["longitude"])
            assert 59.5 < lat < 70.2 and 19.0 < lon < 31.7
    classes = {c["code"] for s in services for c in s["serviceClasses"]}
    assert {"P4.12", "P4.13", "P27.1"} <= classes
    assert any("sv" in s["languages"] for s in services)
    assert any(n["language"] == "sv" for s in services for n in s["serviceNames"])


def test_white_spots_at_scale_1(tmp_path, offline_dir, reference_dir, municipality_rows):
    """Rare types are missing from many small municipalities; the big cities have every type."""
    root = tmp_path / "demo"
    generate(root, scale=1, seed=42, offline_dir=offline_dir, reference_dir=reference_dir, progress=False,
             ptv_version="11")
    by_name = {m["name_fi"]: m["code"] for m in municipality_rows}
    by_name.update({m["name_sv"]: m["code"] for m in municipality_rows})
    mainland = {m["code"] for m in municipality_rows if m["area_code"] != "91"}
    with_type: dict[str, set[str]] = {}

    def add(kind: str, codes) -> None:
        with_type.setdefault(kind, set()).update(c for c in codes if c)

    keyword = {"klubitalo": "klubitalo", "kriisiapu": "kriisi", "tyollistaminen": "työ"}
    for s in _json_items(root, "services"):
        name = s["serviceNames"][0]["value"].lower()
        codes = [m["code"] for a in s["areas"] for m in a["municipalities"]]
        for kind, kw in keyword.items():
            if kw in name:
                add(kind, codes)
    for r in _template(root):
        add(r["toimintamuoto"], [by_name.get(k) for k in r["kunnat"].split(";")])
    for i in _lahella(root)[0]:
        name = i["traits"]["translations"]["fi"]["name"].lower()
        codes = [by_name.get(v.split("/")[-1]) for v in i["traits"]["region"]]
        for kind, kw in keyword.items():
            if kw in name:
                add(kind, codes)
    assert len(mainland - with_type["klubitalo"]) >= 30
    assert len(mainland - with_type["kriisiapu"]) >= 30
    for city in ("091", "837", "853"):                      # Helsinki, Tampere, Turku
        for kind in keyword:
            assert city in with_type[kind], (city, kind)


def test_cleans_owned_folders_only(tmp_path, offline_dir, reference_dir):
    root = tmp_path / "demo"
    (root / "ptv" / "services").mkdir(parents=True)
    stale = root / "ptv" / "services" / "page_9999.json"
    stale.write_text("{}")
    keep = root / "notes.txt"
    keep.write_text("keep me")
    generate(root, scale=0.05, offline_dir=offline_dir, reference_dir=reference_dir, progress=False)
    assert not stale.exists() and keep.read_text() == "keep me"


def test_ptv_records_are_drawn_once_and_serialised_without_drawing(offline_dir, reference_dir):
    """The PTV writer's two steps: draw_service takes every random number, the v11 serialisers take none (so another
    API version can serialise the same records without changing the rest of the dataset)."""
    from etl.demo.activities import make_activity
    from etl.demo.organisations import plan
    from etl.demo.ptv import channel_v11, draw_service, service_v11
    from etl.demo.world import World

    w = World(0.02, 5, offline_dir, reference_dir)
    o = next(o for o in plan(w) if o.kind == "local" and "ptv" in o.sources)
    a = make_activity(w, o, ("vertaistuki", "091"), 0)
    s = draw_service(w, o, a)
    state = w.r.getstate()
    svc = service_v11(s)
    chans = [channel_v11(s, ch) for ch in s.channels]
    assert w.r.getstate() == state and svc == service_v11(s)
    assert [m["code"] for m in svc["areas"][0]["municipalities"]] == ["091"]
    assert svc["serviceChannels"] == [{"serviceChannel": {"id": c["id"]}} for c in chans]
    assert [c["addresses"][0]["streetAddress"]["municipality"]["code"] for c in chans] == ["091"]
    assert svc["serviceClasses"][0]["code"] in ("P4.12", "P5.16", "P10.8")
    assert svc["organizations"][0]["organization"]["id"] == o.uuid
