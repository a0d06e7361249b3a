"""PTV API v12: fixtures and generated pages validated against the official OpenAPI document, the v12 -> v11 load
adapter (same staging rows as v11, same quarantine rules), the v11 -> v12 converter, the version setting."""
from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from jsonschema import Draft202012Validator

from etl.context import EtlError, LoadStats
from etl.load import ptv, ptv_v12
from etl.load.readers import read_json
from etl.ptv.settings import api_version, schema_name_for
from etl.ptv.v12_convert import v11_to_v12_pages, write_v12_pages
from etl.sources import SOURCES, source_registry
from tests.ptv_v12_schema import _registry, check_tree, errors, DOC_URI

FIX = Path(__file__).parent / "fixtures" / "ptv_v12"
V12 = FIX / "v12"                      # org dir holding ptv/v12/...
V11 = FIX / "v11"                      # org dir holding the same records as v11 (ptv/organizations|services|channels)
O1, O2 = "a1000000-0000-4000-8000-000000000001", "a2000000-0000-4000-8000-000000000002"
S1, S2, S4 = ("b1000000-0000-4000-8000-000000000001", "b2000000-0000-4000-8000-000000000002",
              "b4000000-0000-4000-8000-000000000004")
C1, C2, C3 = ("c1000000-0000-4000-8000-000000000001", "c2000000-0000-4000-8000-000000000002",
              "c3000000-0000-4000-8000-000000000003")
TABLES = ("stg_ptv__organisation", "stg_ptv__activity", "stg_ptv__channel")
PROVENANCE = ("file", "record_ref")   # where a row came from: file names and item paths differ between versions


@pytest.fixture(autouse=True)
def _no_version_setting(monkeypatch):
    for var in ("JARJESTOKARTTA_PTV_API_VERSION", "JARJESTOKARTTA_PTV_API_KEY"):
        monkeypatch.delenv(var, raising=False)


def run(ctx):
    con = duckdb.connect()
    stats = ptv.load(con, ctx)
    assert stats.read == stats.loaded + stats.quarantined
    assert stats.quarantined == ctx.quarantine.count("ptv")
    return con, stats


def staging(con) -> dict[str, list[tuple]]:
    """Every staging row of the PTV tables without the provenance columns, in a stable order."""
    out = {}
    for table in TABLES:
        cols = [c for (c, *_rest) in con.execute(f"describe {table}").fetchall() if c not in PROVENANCE]
        out[table] = con.execute(f"select {', '.join(cols)} from {table} order by source_id").fetchall()
    return out


def quarantined(ctx) -> list[tuple[str, str, str]]:
    return [(r["file"], r["record_ref"], r["reason_code"]) for r in ctx.quarantine.rows]


# --- validation against the official document --------------------------------------------------------------------

def test_every_v12_fixture_matches_its_response_schema():
    checked = check_tree(V12 / "ptv" / "v12")
    # the schema each fixture was checked against (#/components/schemas/<name> of ptv_v12_openapi.json)
    assert checked == {
        "channels/b0001_page_0001.json": "ChannelSearchResponse",
        "codes/service-classes_page_0001.json": "ServiceClassesResponse",
        "codes/target-groups_page_0001.json": "TargetGroupsResponse",
        "codes/wellbeing-services-county-codes_page_0001.json": "WellbeingServicesCountyCodeResponse",
        "connections/b0001_page_0001.json": "ConnectionSearchResponse",
        "organizations/page_0001.json": "SearchOrganizationsResponse",
        "organizations/page_0002.json": "SearchOrganizationsResponse",
        "services/b0001_page_0001.json": "ServiceSearchResponse",
    }
    # the same verdict from the plain 2020-12 validator (no discriminator short cut)
    registry, _doc = _registry()
    for rel, name in checked.items():
        plain = Draft202012Validator({"$ref": f"{DOC_URI}#/components/schemas/{name}"}, registry=registry,
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
        assert list(plain.iter_errors(read_json(V12 / "ptv" / "v12" / rel))) == [], rel


def test_fixture_organisation_types_cover_the_document():
    items = [o for p in sorted((V12 / "ptv/v12/organizations").glob("*.json")) for o in read_json(p)["items"]]
    assert [o["organizationType"] for o in items] == ["Organization", "Organization", "Municipality", "Company"]
    channels = read_json(V12 / "ptv/v12/channels/b0001_page_0001.json")["items"]
    assert {c["serviceChannelType"] for c in channels} == {"ServiceLocation", "TelephoneService", "WebPage"}


@pytest.mark.parametrize("rel, old, new", [
    ("organizations/page_0001.json", "businessId", "businessCode"),        # v11's name for the field
    ("services/b0001_page_0001.json", "organizationContentId", "organizationId"),
    ("connections/b0001_page_0001.json", "channelContentId", "channelId"),
])
def test_planted_renamed_required_field_fails_validation(rel, old, new):
    doc = read_json(V12 / "ptv" / "v12" / rel)
    assert errors(doc, schema_name_for(rel)) == []
    bad = copy.deepcopy(doc)
    item = bad["items"][0]
    item[new] = item.pop(old)
    found = errors(bad, schema_name_for(rel))
    assert found and found[0].startswith("items/0")
    # the plain validator agrees and names the missing field
    registry, _doc = _registry()
    plain = Draft202012Validator({"$ref": f"{DOC_URI}#/components/schemas/{schema_name_for(rel)}"},
                                 registry=registry)
    assert not plain.is_valid(bad)
    messages = " ".join(e.message for e in plain.iter_errors(bad)) + " ".join(
        c.message for e in plain.iter_errors(bad) for c in e.context)
    assert f"'{old}' is a required property" in messages


def test_planted_mismatch_makes_check_tree_fail(tmp_path):
    shutil.copytree(V12 / "ptv" / "v12", tmp_path / "v12")
    page = tmp_path / "v12" / "organizations" / "page_0002.json"
    doc = read_json(page)
    doc["items"][0]["languageVersions"]["fi"]["nimi"] = doc["items"][0]["languageVersions"]["fi"].pop("name")
    page.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(AssertionError, match="organizations/page_0002.json against SearchOrganizationsResponse"):
        check_tree(tmp_path / "v12")


# --- loading v12 ---------------------------------------------------------------------------------------------------

def test_v12_fixture_loads_into_the_v11_staging_tables(make_ctx):
    ctx = make_ctx(V12)
    con, stats = run(ctx)
    assert stats.notes == ["api_version=12"]
    assert (stats.read, stats.loaded, stats.quarantined) == (12, 8, 4)
    assert con.execute("""select source_id, business_id, name, name_sv, home_municipality_code, website,
                                 cast(updated_at as varchar) from stg_ptv__organisation order by source_id""").fetchall() == [
        (O1, "1234567-1", "Kuvitteellinen Vertaisyhdistys ry", "Fiktiva Kamratföreningen rf", "091",
         "https://example.org/vertais", "2025-03-01 09:30:00"),
        (O2, "2408739-0", "Valtakunnallinen Esimerkkiliitto ry", None, None, None, "2025-03-01 09:30:00"),
    ]
    assert con.execute("""select source_id, org_source_id, name_fi, name_sv, description, class_codes, target_codes,
                                 mode, is_national, municipality_codes, languages, url
                          from stg_ptv__activity order by source_id""").fetchall() == [
        (S1, O1, "Vertaisryhmä omaishoitajille", "Kamratgrupp för närståendevårdare", "Ryhmä kokoontuu tiistaisin.",
         ["ptv:P4.12"], ["ptv:KR1.1"], "in_person", False, ["091"], ["fi", "sv"], "https://example.org/ryhma"),
        (S2, O2, "Auttava puhelin", None, "Soita meille", ["ptv:P5.17"], ["ptv:KR1"], "phone", True, [], ["fi"],
         None),
        # a wellbeing services county area: its municipalities from the reference page (Kangasala, Tampere)
        (S4, O1, "Vertaistuki Pirkanmaalla", None, "Ryhmiä maakunnassa", ["ptv:P4.12", "ptv:P5.16"],
         ["ptv:KR1.1"], "online", False, ["211", "837"], ["fi"], None),
    ]
    lat, lon = con.execute(f"select lat, lon from stg_ptv__activity where source_id = '{S1}'").fetchone()
    assert 60.1 < lat < 60.2 and 24.9 < lon < 25.0      # EPSG:3067 (385500, 6672500) is central Helsinki
    assert con.execute("""select source_id, org_source_id, channel_type, name, municipality_code, service_ids
                          from stg_ptv__channel order by source_id""").fetchall() == [
        (C1, O1, "ServiceLocation", "Vertaistalo", "091", [S1]),
        (C2, O2, "Phone", "Auttava puhelin", None, [S2]),
        (C3, O1, "WebPage", "Verkkosivu", None, [S1]),
    ]
    assert quarantined(ctx) == [
        ("page_0001.json", "$.items[2]", "not_an_ngo"),      # the municipality
        ("page_0002.json", "$.items[0]", "not_an_ngo"),      # the company
        ("b0001_page_0001.json", "$.items[3]", "not_an_ngo"),  # the municipality's channel
        ("b0001_page_0001.json", "$.items[2]", "not_an_ngo"),  # the municipality's service
    ]


def test_same_records_as_v11_and_v12_give_identical_staging_rows(make_ctx):
    con11, stats11 = run(make_ctx(V11))
    con12, stats12 = run(make_ctx(V12))
    assert stats11.notes == [] and stats12.notes == ["api_version=12"]
    rows11, rows12 = staging(con11), staging(con12)
    assert [len(rows11[t]) for t in TABLES] == [2, 3, 3]
    assert rows11 == rows12
    assert (stats11.read, stats11.loaded, stats11.quarantined) == (stats12.read, stats12.loaded, stats12.quarantined)


def test_malformed_v12_records_are_quarantined_not_dropped(make_ctx, tmp_path):
    root = tmp_path / "ptv" / "v12"
    shutil.copytree(V12 / "ptv" / "v12", root)
    page = read_json(root / "organizations/page_0001.json")
    no_id = copy.deepcopy(page["items"][0])
    no_id.pop("contentId")
    wrong_type = copy.deepcopy(page["items"][1])
    wrong_type["contentId"] = "a9000000-0000-4000-8000-000000000009"
    wrong_type["languageVersions"] = "Yhdistys ry"
    page["items"] += [no_id, wrong_type, "not an organisation", copy.deepcopy(page["items"][0])]
    (root / "organizations/page_0001.json").write_text(json.dumps(page), encoding="utf-8")
    (root / "services/b0002_page_0001.json").write_text('{"page": 1, "items": [', encoding="utf-8")
    conns = read_json(root / "connections/b0001_page_0001.json")
    conns["items"].append({"serviceContentId": S1})
    (root / "connections/b0001_page_0001.json").write_text(json.dumps(conns), encoding="utf-8")
    ctx = make_ctx(tmp_path)
    con, stats = run(ctx)
    assert (stats.read, stats.loaded, stats.quarantined) == (18, 8, 10)
    assert quarantined(ctx) == [
        ("b0001_page_0001.json", "$.items[4]", "missing_field"),    # connection without a channel
        ("b0002_page_0001.json", "file", "malformed_file"),         # unreadable pages come first, as in v11
        ("page_0001.json", "$.items[2]", "not_an_ngo"),
        ("page_0001.json", "$.items[3]", "missing_field"),          # no contentId
        ("page_0001.json", "$.items[4]", "bad_type"),               # languageVersions is a string
        ("page_0001.json", "$.items[5]", "bad_type"),               # not an object
        ("page_0001.json", "$.items[6]", "duplicate"),
        ("page_0002.json", "$.items[0]", "not_an_ngo"),
        ("b0001_page_0001.json", "$.items[3]", "not_an_ngo"),
        ("b0001_page_0001.json", "$.items[2]", "not_an_ngo"),
    ]
    messages = {r["record_ref"] + r["reason_code"]: r["message"] for r in ctx.quarantine.rows}
    assert messages["$.items[3]missing_field"] == "missing id"
    assert "languageVersions is str" in messages["$.items[4]bad_type"]
    raws = {r["record_ref"] + r["reason_code"]: r["raw"] for r in ctx.quarantine.rows}
    assert raws["$.items[3]missing_field"].startswith('{"_v12": {"parentOrganizationContentId": null, ')
    assert raws["$.items[4]bad_type"].startswith('{"contentId": "a9000000-')   # (digit runs read as phones)
    assert '"languageVersions": "Yhdistys ry"' in raws["$.items[4]bad_type"]
    assert [r[0] for r in con.execute("select source_id from stg_ptv__organisation order by 1").fetchall()] == [O1, O2]


def test_version_setting_decides_which_files_load(make_ctx, tmp_path, monkeypatch):
    shutil.copytree(V12 / "ptv", tmp_path / "ptv")
    shutil.copytree(V11 / "ptv" / "organizations", tmp_path / "ptv" / "organizations")
    shutil.copytree(V11 / "ptv" / "services", tmp_path / "ptv" / "services")
    ctx = make_ctx(tmp_path)
    assert ptv_v12.use_v12(ctx)                         # v12 pages present: v12, the v11 files are not read too
    _con, stats = run(ctx)
    assert stats.notes == ["api_version=12"] and stats.read == 12
    monkeypatch.setenv("JARJESTOKARTTA_PTV_API_VERSION", "11")
    ctx = make_ctx(tmp_path)
    assert not ptv_v12.use_v12(ctx)
    _con, stats = run(ctx)
    assert stats.notes == [] and stats.read == 8        # 4 organisations + 4 services: the v11 files only
    assert not ptv_v12.use_v12(make_ctx(V11))


def test_api_version_setting():
    assert api_version({}) == "11"
    assert api_version({"JARJESTOKARTTA_PTV_API_KEY": "k"}) == "12"
    assert api_version({"JARJESTOKARTTA_PTV_API_KEY": "k", "JARJESTOKARTTA_PTV_API_VERSION": "11"}) == "11"
    assert api_version({"JARJESTOKARTTA_PTV_API_VERSION": "v12"}) == "12"
    with pytest.raises(EtlError, match="choose 11 or 12"):
        api_version({"JARJESTOKARTTA_PTV_API_VERSION": "13"})


def test_meta_sources_names_the_api_version():
    v11 = source_registry([LoadStats("ptv")])
    assert v11["ptv"] == SOURCES["ptv"].as_dict() and "v11" in v11["ptv"]["title"]
    v12 = source_registry([LoadStats("ptv", notes=["api_version=12"])])
    assert v12["ptv"]["title"].endswith("API v12")
    assert v12["ptv"]["url"] == "https://api-gw.palvelutietovaranto.suomi.fi/api/v12/"
    assert v12["ytj"] == v11["ytj"]


# --- v11 -> v12 converter ----------------------------------------------------------------------------------------

def _v11_records(ptv_dir: Path, kind: str) -> list:
    out = []
    for p in sorted((ptv_dir / kind).glob("*.json")):
        doc = read_json(p)
        out += doc["itemList"] if isinstance(doc, dict) else doc
    return out


def test_converter_turns_the_v11_twin_into_valid_pages_that_load_the_same(make_ctx, tmp_path):
    recs = [_v11_records(V11 / "ptv", k) for k in ("organizations", "services", "channels")]
    pages = v11_to_v12_pages(*recs, page_size=2)
    assert sorted(pages) == [
        "channels/page_0001.json", "channels/page_0002.json", "codes/service-classes_page_0001.json",
        "codes/service-classes_page_0002.json", "codes/target-groups_page_0001.json",
        "codes/wellbeing-services-county-codes_page_0001.json", "connections/page_0001.json",
        "connections/page_0002.json", "organizations/page_0001.json", "organizations/page_0002.json",
        "services/page_0001.json", "services/page_0002.json"]
    assert pages["organizations/page_0002.json"] | {"items": None} == {
        "page": 2, "pageSize": 2, "totalItems": 4, "totalPages": 2, "items": None}
    write_v12_pages(tmp_path / "ptv" / "v12", pages)
    assert len(check_tree(tmp_path / "ptv" / "v12")) == 12
    con11, _ = run(make_ctx(V11))
    con12, _ = run(make_ctx(tmp_path))
    assert staging(con11) == staging(con12)


def test_converter_refuses_records_v12_cannot_express():
    with pytest.raises(ValueError, match="without an id"):
        v11_to_v12_pages([{"organizationType": "Organization"}], [], [])
    with pytest.raises(ValueError, match="no v12 type"):
        v11_to_v12_pages([], [], [{"id": "c", "serviceChannelType": "Fax"}])


def test_demo_ptv_output_converted_to_v12_is_valid_and_loads_the_same(make_ctx, tmp_path, offline_dir,
                                                                      reference_dir):
    from etl import demo
    from tests.conftest import DEMO_TEST_SCALE, DEMO_TEST_SEED
    demo.generate(tmp_path / "demo", scale=DEMO_TEST_SCALE, seed=DEMO_TEST_SEED, offline_dir=offline_dir,
                  reference_dir=reference_dir, progress=False)
    v11_dir = tmp_path / "demo" / "ptv"
    recs = [_v11_records(v11_dir, k) for k in ("organizations", "services", "channels")]
    pages = v11_to_v12_pages(*recs)
    write_v12_pages(tmp_path / "v12" / "ptv" / "v12", pages)
    checked = check_tree(tmp_path / "v12" / "ptv" / "v12")
    assert len(checked) == len(pages) and set(checked.values()) == {
        "SearchOrganizationsResponse", "ServiceSearchResponse", "ChannelSearchResponse", "ConnectionSearchResponse",
        "ServiceClassesResponse", "TargetGroupsResponse"}
    only_ptv = tmp_path / "v11"
    shutil.copytree(v11_dir, only_ptv / "ptv")
    con11, stats11 = run(make_ctx(only_ptv))
    con12, stats12 = run(make_ctx(tmp_path / "v12"))
    assert (stats11.read, stats11.loaded, stats11.quarantined) == (stats12.read, stats12.loaded, stats12.quarantined)
    rows11, rows12 = staging(con11), staging(con12)
    assert rows11["stg_ptv__activity"] == rows12["stg_ptv__activity"] and len(rows11["stg_ptv__activity"]) > 500
    assert rows11["stg_ptv__channel"] == rows12["stg_ptv__channel"]
    # organisations: identical except the home municipality of whole-country organisations, which v12 cannot carry
    # (its addresses have no municipality and a WholeCountry area lists none)
    cols = [c for (c, *_r) in con11.execute("describe stg_ptv__organisation").fetchall() if c not in PROVENANCE]
    home = cols.index("home_municipality_code")
    national = {o["id"] for o in recs[0] if o.get("areaType") == "Nationwide"}
    assert national
    for a, b in zip(rows11["stg_ptv__organisation"], rows12["stg_ptv__organisation"], strict=True):
        assert a[:home] + a[home + 1:] == b[:home] + b[home + 1:]
        assert b[home] == (None if a[cols.index("source_id")] in national else a[home])
