"""PTV API v12: fixtures and generated pages validated against the official OpenAPI document, the v12 -> v11 load
adapter (same staging rows as v11, same quarantine rules), the v11 -> v12 converter, the version setting."""
from __future__ import annotations

import copy
import os
import json
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from jsonschema import Draft202012Validator

from etl.context import EtlError, LoadStats
from etl.load import ptv, ptv_v12, ptv_workers
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
    # the municipality, its service and its channel are public (stg_ptv__public_*, issue 10); the company is
    # set aside
    assert (stats.read, stats.loaded, stats.quarantined) == (12, 11, 1)
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
    assert quarantined(ctx) == [("page_0002.json", "$.items[0]", "private_company")]
    assert [con.execute(f"select source_id, file, record_ref from stg_ptv__public_{t}").fetchall()
            for t in ("organisation", "service", "channel")] == [
        [("a3000000-0000-4000-8000-000000000003", "page_0001.json", "$.items[2]")],
        [("b3000000-0000-4000-8000-000000000003", "b0001_page_0001.json", "$.items[2]")],
        [("c4000000-0000-4000-8000-000000000004", "b0001_page_0001.json", "$.items[3]")],
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
    assert (stats.read, stats.loaded, stats.quarantined) == (18, 11, 7)
    assert quarantined(ctx) == [
        ("b0001_page_0001.json", "$.items[4]", "missing_field"),    # connection without a channel
        ("b0002_page_0001.json", "file", "malformed_file"),         # unreadable pages come first, as in v11
        ("page_0001.json", "$.items[3]", "missing_field"),          # no contentId
        ("page_0001.json", "$.items[4]", "bad_type"),               # languageVersions is a string
        ("page_0001.json", "$.items[5]", "bad_type"),               # not an object
        ("page_0001.json", "$.items[6]", "duplicate"),
        ("page_0002.json", "$.items[0]", "private_company"),
    ]
    messages = {r["record_ref"] + r["reason_code"]: r["message"] for r in ctx.quarantine.rows}
    assert messages["$.items[3]missing_field"] == "missing id"
    assert "languageVersions is str" in messages["$.items[4]bad_type"]
    raws = {r["record_ref"] + r["reason_code"]: r["raw"] for r in ctx.quarantine.rows}
    assert raws["$.items[3]missing_field"].startswith('{"_v12": {"parentOrganizationContentId": null, ')
    assert raws["$.items[4]bad_type"].startswith('{"contentId": "a9000000-')   # (digit runs read as phones)
    assert '"languageVersions": "Yhdistys ry"' in raws["$.items[4]bad_type"]
    assert [r[0] for r in con.execute("select source_id from stg_ptv__organisation order by 1").fetchall()] == [O1, O2]


def _grouping_input(tmp_path: Path) -> Path:
    """The fixture pages plus what makes group boundaries matter: services and channels read twice (duplicates:
    quarantine rows whose raw copies carry the connection lists), a guid-list index page and an unreadable page
    between them, a connection named twice and one to a channel that is never read."""
    root = tmp_path / "ptv" / "v12"
    shutil.copytree(V12 / "ptv" / "v12", root)
    for kind in ("services", "channels"):
        shutil.copy(root / kind / "b0001_page_0001.json", root / kind / "b0001_page_0004.json")
        (root / kind / "b0001_page_0003.json").write_text('{"page": 3, "items": [', encoding="utf-8")
    index = {"pageNumber": 2, "itemList": [{"id": S1, "name": "x"}, {"id": S2}]}
    (root / "services" / "b0001_page_0002.json").write_text(json.dumps(index), encoding="utf-8")
    conns = read_json(root / "connections/b0001_page_0001.json")
    conns["items"] += [dict(conns["items"][1]), {**conns["items"][0], "channelContentId": "c9-never-read"}]
    (root / "connections/b0001_page_0001.json").write_text(json.dumps(conns), encoding="utf-8")
    return tmp_path


def _everything(con, ctx) -> tuple:
    """Every row of the PTV staging tables in the order written, and every quarantine row whole."""
    tables = {t: con.execute(f"select * from {t} order by rowid").fetchall()
              for t in (*TABLES, "stg_ptv__public_service", "stg_ptv__public_channel")}
    return tables, list(ctx.quarantine.rows)


@pytest.mark.parametrize("group", [1, 2, 3])
def test_connections_looked_up_a_group_at_a_time_give_the_same_rows_in_order(make_ctx, tmp_path, monkeypatch, group):
    """The connections live in DuckDB and the adapter looks them up for a group of records at a time
    (ptv_v12.GROUP_RECORDS). Whatever the group size, the staging rows, their order, the quarantine rows (raw copies
    included) and the record balance are those of one group holding everything."""
    org_dir = _grouping_input(tmp_path)
    con, stats = run(ctx := make_ctx(org_dir))
    whole = _everything(con, ctx)
    monkeypatch.setattr(ptv_v12, "GROUP_RECORDS", group)
    con_g, stats_g = run(ctx_g := make_ctx(org_dir))
    assert _everything(con_g, ctx_g) == whole
    assert (stats_g.read, stats_g.loaded, stats_g.quarantined) == (stats.read, stats.loaded, stats.quarantined)
    reasons = [(r["file"], r["record_ref"], r["reason_code"]) for r in whole[1]]
    assert ("b0001_page_0002.json", "$.itemList", "index_page") in reasons
    assert ("b0001_page_0004.json", "$.items[0]", "duplicate") in reasons
    assert con.execute("select service_ids from stg_ptv__channel where source_id = ?", [C3]).fetchone()[0] == [S1]
    # no work tables are left behind in the build's database
    assert not con.execute("select table_name from duckdb_tables() where table_name like '\\_ptv%' escape '\\'").fetchall()


def test_a_group_reads_its_own_files_rows_and_the_rows_do_not_depend_on_where_ids_are_found(make_ctx, tmp_path,
                                                                                              monkeypatch):
    """Before a kind's records are read, its connections are put in the order of the files that name each id
    (ptv_v12.file_ids scans the pages' bytes) and a group reads its own files' rows only: no look-up over the whole
    table for plain ids. The scan is a hint: ids it does not find, or finds in another file, are looked up in the
    whole table, and every staging and quarantine row stays the same, in order."""
    org_dir = _grouping_input(tmp_path)
    monkeypatch.setattr(ptv_v12, "GROUP_RECORDS", 2)
    tables: list[ptv_v12.FileOrdered] = []

    class Recorded(ptv_v12.FileOrdered):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            tables.append(self)

    monkeypatch.setattr(ptv_v12, "FileOrdered", Recorded)
    con, stats = run(ctx := make_ctx(org_dir))
    whole = _everything(con, ctx)
    assert [(t.key, t.whole_table_lookups) for t in tables] == [("cid", 0), ("sid", 0)]
    plain = ptv_v12.file_ids
    for hint in (lambda paths: iter(()),                                               # no id found
                 lambda paths: ((fno + 1, key) for fno, key in plain(paths))):        # each id in the next file
        tables.clear()
        monkeypatch.setattr(ptv_v12, "file_ids", hint)
        con_h, stats_h = run(ctx_h := make_ctx(org_dir))
        assert _everything(con_h, ctx_h) == whole
        assert (stats_h.read, stats_h.loaded, stats_h.quarantined) == (stats.read, stats.loaded, stats.quarantined)
        assert [t.key for t in tables] == ["cid", "sid"] and all(t.whole_table_lookups > 0 for t in tables)


def test_a_connection_id_utf8_cannot_encode_loads(make_ctx, tmp_path):
    """A lone surrogate (`\\udc80`, valid JSON, not encodable in UTF-8) in a connection's ids: kept in DuckDB in an
    escaped form, the rest loads as before."""
    shutil.copytree(V12 / "ptv", tmp_path / "ptv")
    org_dir = tmp_path
    con, stats = run(ctx := make_ctx(org_dir))
    before = _everything(con, ctx)
    path = org_dir / "ptv" / "v12" / "connections" / "b0001_page_0002.json"
    path.write_text('{"page": 2, "items": [{"serviceContentId": "s-\\udc80", "channelContentId": "' + C1 + '"}]}',
                    encoding="utf-8")
    con2, stats2 = run(ctx2 := make_ctx(org_dir))
    after = _everything(con2, ctx2)
    assert after[1] == before[1]   # the same quarantine rows
    assert {t: rows for t, rows in after[0].items() if t != "stg_ptv__channel"} == \
        {t: rows for t, rows in before[0].items() if t != "stg_ptv__channel"}
    assert con2.execute("select service_ids from stg_ptv__channel where source_id = ?", [C1]).fetchone()[0] == \
        [S1, "s-\\xed\\xb2\\x80"]
    assert ptv_v12.db_key("s-\udc80") == "s-\\xed\\xb2\\x80" and ptv_v12.db_key("ä-1") == "ä-1"


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


# --- the demo writes v12 by default --------------------------------------------------------------------------------

V12_FOLDER_SCHEMAS = {   # what each folder's pages are checked against (tests/ptv_v12_schema.py, the document)
    "organizations": {"SearchOrganizationsResponse"}, "services": {"ServiceSearchResponse"},
    "channels": {"ChannelSearchResponse"}, "connections": {"ConnectionSearchResponse"},
    "codes": {"ServiceClassesResponse", "TargetGroupsResponse", "WellbeingServicesCountyCodeResponse"},
}


@pytest.fixture(scope="module")
def demo_both(tmp_path_factory, offline_dir, reference_dir):
    """The same demo (scale 0.1) written with PTV in v12 shape (the default) and in v11 shape."""
    from etl import demo
    from tests.conftest import DEMO_TEST_SCALE, DEMO_TEST_SEED
    root = tmp_path_factory.mktemp("demo_both")
    for version in ("12", "11"):
        kw = {} if version == "12" else {"ptv_version": "11"}
        demo.generate(root / f"v{version}", scale=DEMO_TEST_SCALE, seed=DEMO_TEST_SEED, offline_dir=offline_dir,
                      reference_dir=reference_dir, progress=False, **kw)
    return root / "v12", root / "v11"


def test_demo_writes_v12_by_default_and_every_page_matches_its_response_schema(demo_both):
    d12, d11 = demo_both
    assert not any((d12 / "ptv" / k).exists() for k in ("organizations", "services", "channels"))
    assert not (d11 / "ptv" / "v12").exists()
    checked = check_tree(d12 / "ptv" / "v12")            # raises naming the file and the schema on a mismatch
    by_folder: dict[str, set[str]] = {}
    for rel, schema in checked.items():
        by_folder.setdefault(rel.split("/")[0], set()).add(schema)
    assert by_folder == V12_FOLDER_SCHEMAS
    assert len(checked) > 40
    pages = read_json(d12 / "ptv" / "v12" / "organizations" / "page_0001.json")
    orgs = _v11_records(d11 / "ptv", "organizations")
    assert (pages["page"], pages["pageSize"], pages["totalItems"]) == (1, 100, len(orgs))
    assert pages["totalPages"] == -(-len(orgs) // 100)


def test_demo_v12_pages_are_the_v11_records_converted_and_nothing_else_changes(demo_both):
    """The writer streams what the pure converter gives for the v11 output (the same records, public side
    included); every other file of the demo is byte-identical."""
    d12, d11 = demo_both
    recs = [_v11_records(d11 / "ptv", k) for k in ("organizations", "services", "channels")]
    assert any(o["organizationType"] == "Region" for o in recs[0])          # the public side is in it
    expected = v11_to_v12_pages(*recs)
    root = d12 / "ptv" / "v12"
    written = {p.relative_to(root).as_posix(): read_json(p) for p in sorted(root.rglob("*.json"))}
    assert sorted(written) == sorted(expected)
    assert all(written[k] == expected[k] for k in expected)
    others = {p.relative_to(d11): p.read_bytes() for p in sorted(d11.rglob("*")) if p.is_file()
              and "ptv" not in p.parts}
    assert others and all((d12 / rel).read_bytes() == data for rel, data in others.items())


def test_demo_v12_loads_like_v11(make_ctx, demo_both):
    d12, d11 = demo_both
    con11, stats11 = run(make_ctx(d11))
    con12, stats12 = run(make_ctx(d12))
    assert stats11.notes == [] and stats12.notes == ["api_version=12"]
    assert (stats11.read, stats11.loaded, stats11.quarantined) == (stats12.read, stats12.loaded, stats12.quarantined)
    rows11, rows12 = staging(con11), staging(con12)
    assert rows11["stg_ptv__activity"] == rows12["stg_ptv__activity"] and len(rows11["stg_ptv__activity"]) > 500
    assert rows11["stg_ptv__channel"] == rows12["stg_ptv__channel"]
    # organisations: identical except the home municipality of whole-country organisations, which v12 cannot carry
    # (its addresses have no municipality and a WholeCountry area lists none; harmonise takes YTJ's seat)
    cols = [c for (c, *_r) in con11.execute("describe stg_ptv__organisation").fetchall() if c not in PROVENANCE]
    home = cols.index("home_municipality_code")
    national = {o["id"] for o in _v11_records(d11 / "ptv", "organizations") if o.get("areaType") == "Nationwide"}
    differ = set()
    for a, b in zip(rows11["stg_ptv__organisation"], rows12["stg_ptv__organisation"], strict=True):
        assert a[:home] + a[home + 1:] == b[:home] + b[home + 1:]
        if a[home] != b[home]:
            assert b[home] is None
            differ.add(a[cols.index("source_id")])
    assert differ and differ <= national
    for table in ("public_organisation", "public_service", "public_channel"):
        cols = [c for (c, *_r) in con11.execute(f"describe stg_ptv__{table}").fetchall()
                if c not in PROVENANCE + ("home_municipality_code",)]
        q = f"select {', '.join(cols)} from stg_ptv__{table} order by source_id"
        assert con11.execute(q).fetchall() == con12.execute(q).fetchall(), table


def _without_what_v12_cannot_say(d11: Path, out: Path) -> None:
    """A copy of the v11 demo with the one fact v12 cannot carry taken out: the home municipality of a whole-country
    organisation (v12 addresses have no municipality and a WholeCountry area lists none)."""
    shutil.copytree(d11, out)
    for page in sorted((out / "ptv" / "organizations").glob("page_*.json")):
        doc = read_json(page)
        for o in doc["itemList"]:
            if o.get("areaType") == "Nationwide":
                o.pop("municipality", None)
                for a in o.get("addresses") or []:
                    (a.get("streetAddress") or {}).pop("municipality", None)
        page.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _same_rounded(db_a: Path, db_b: Path, table: str) -> bool:
    con = duckdb.connect()
    con.execute(f"attach '{db_a}' as a (read_only)")
    con.execute(f"attach '{db_b}' as b (read_only)")
    cols = [f"round({c}, 9)" if t == "DOUBLE" else c for c, t, *_ in con.execute(f"describe a.{table}").fetchall()]
    q = f"select {', '.join(cols)} from {{}}.{table}"
    return con.execute(f"select count(*) from ({q.format('a')} except all {q.format('b')})").fetchone()[0] == 0 \
        and con.execute(f"select count(*) from ({q.format('b')} except all {q.format('a')})").fetchone()[0] == 0


def test_demo_build_from_v12_gives_the_same_marts_as_from_v11(demo_both, tmp_path, offline_dir, reference_dir):
    """The issue's measure: the same demo built from v12 pages and from the same records as v11 pages. Every mart,
    core and staging table is identical; left out are row provenance (file names, item paths, a quarantine row's raw
    copy and message: the planted HospitalDistrict area has no v12 type, so the message names no area) and the
    _meta tables, which name the files and the API version."""
    from bench.compare_warehouses import compare
    from etl.build import build
    d12, d11 = demo_both
    _without_what_v12_cannot_say(d11, tmp_path / "v11")
    dbs = {"v11": tmp_path / "v11.duckdb", "v12": tmp_path / "v12.duckdb"}
    for name, demo_dir in (("v11", tmp_path / "v11"), ("v12", d12)):
        build(db_path=dbs[name], offline_dir=offline_dir, reference_dir=reference_dir, org_dirs=[demo_dir],
              is_demo=True, progress=False, log=lambda *a, **k: None)
    problems = compare(str(dbs["v11"]), str(dbs["v12"]),
                       ignore=frozenset(("file", "record_ref", "raw", "message")))
    differ = sorted(p.split(":")[0] for p in problems)
    # a parallel float sum may differ in its last bit between any two builds: such a table must agree to 1e-9
    for table in [t for t in differ if not t.startswith("_meta_")]:
        assert _same_rounded(dbs["v11"], dbs["v12"], table), [p for p in problems if p.startswith(table)]
        differ.remove(table)
    assert differ == ["_meta_build", "_meta_files", "_meta_sources"], problems
    con = duckdb.connect(str(dbs["v12"]), read_only=True)
    assert con.execute("select count(*) from mart_org_visibility").fetchone()[0] > 100
    assert con.execute("select count(*) from stg_ptv__public_service").fetchone()[0] > 10
    assert con.execute("select count(*) from _meta_files where path like '%/ptv/v12/connections/%'").fetchone()[0]


# --- worker processes (etl/load/ptv_workers.py) ------------------------------------------------------------------

def _with_workers(monkeypatch, n: int, group_bytes: int) -> None:
    monkeypatch.setenv(ptv_workers.ENV_WORKERS, str(n))
    monkeypatch.setattr(ptv_v12, "GROUP_BYTES", group_bytes)


@pytest.mark.parametrize("workers, group_bytes", [(1, 1), (2, 1), (2, 3_000), (2, 10 ** 9)])
def test_workers_give_the_same_rows_quarantine_and_counts_in_order(make_ctx, tmp_path, monkeypatch, workers,
                                                                   group_bytes):
    """Services and channels read, adapted and decided in worker processes (a group of whole files each: one file,
    a few, or all) give every staging row, every quarantine row (reasons, messages, raw copies: duplicates, an
    index page, an unreadable page, a connection to a channel never read) and the record balance of the loader
    alone, in the same order."""
    org_dir = _grouping_input(tmp_path)
    con, stats = run(ctx := make_ctx(org_dir))
    alone = _everything(con, ctx)
    _with_workers(monkeypatch, workers, group_bytes)
    con_w, stats_w = run(ctx_w := make_ctx(org_dir))
    assert _everything(con_w, ctx_w) == alone
    assert (stats_w.read, stats_w.loaded, stats_w.quarantined) == (stats.read, stats.loaded, stats.quarantined)
    reasons = [r["reason_code"] for r in alone[1]]
    assert {"duplicate", "index_page", "malformed_file"} <= set(reasons)
    assert not con_w.execute("select table_name from duckdb_tables() where table_name like '\\_ptv%' escape '\\'"
                             ).fetchall()


def test_workers_records_whose_ids_the_file_scan_missed_are_decided_in_the_loader(make_ctx, tmp_path,
                                                                                   monkeypatch):
    """A record whose links are not among its group's rows (the byte scan did not find its id there) is read
    again and decided in the loader's process after a look-up of its own: the rows stay the same, in order."""
    org_dir = _grouping_input(tmp_path)
    con, _stats = run(ctx := make_ctx(org_dir))
    alone = _everything(con, ctx)
    _with_workers(monkeypatch, 2, 1)
    plain = ptv_v12.file_ids
    for hint in (lambda paths: iter(()), lambda paths: ((fno + 1, key) for fno, key in plain(paths))):
        monkeypatch.setattr(ptv_v12, "file_ids", hint)
        here: list[str] = []
        lookup = ptv_v12.Adapter._lookup

        def recorded(self, kind, rec, lookup=lookup):
            here.append(kind)
            return lookup(self, kind, rec)

        monkeypatch.setattr(ptv_v12.Adapter, "_lookup", recorded)
        con_h, _ = run(ctx_h := make_ctx(org_dir))
        assert _everything(con_h, ctx_h) == alone
        assert {"services", "channels"} <= set(here)


def test_workers_load_the_demo_like_the_loader_alone(make_ctx, demo_both, monkeypatch):
    """The demo's PTV v12 pages (scale 0.1: hundreds of records per kind, public services and channels, every
    quarantine reason the demo plants) load the same with two workers and groups of a few files."""
    d12, _ = demo_both
    con, stats = run(ctx := make_ctx(d12, is_demo=True))
    alone = _everything(con, ctx)
    _with_workers(monkeypatch, 2, 200_000)
    con_w, stats_w = run(ctx_w := make_ctx(d12, is_demo=True))
    assert _everything(con_w, ctx_w) == alone
    assert (stats_w.read, stats_w.loaded, stats_w.quarantined) == (stats.read, stats.loaded, stats.quarantined)
    assert len(alone[0]["stg_ptv__activity"]) > 100 and len(alone[0]["stg_ptv__public_service"]) > 100
    assert len(list((d12 / "ptv" / "v12" / "services").glob("*.json"))) > 2


class _OnArrival:
    """Unpickled in a worker while it sets itself up, calls fn(*args) (sleeps, or ends the process)."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def _worker_setup_with(monkeypatch, extra) -> None:
    real = ptv_v12.worker_setup

    def setup(rules, adapter):
        init, args = real(rules, adapter)
        return init, (*args, extra)

    monkeypatch.setattr(ptv_v12, "worker_setup", setup)


def test_the_loader_does_groups_itself_while_the_worker_is_not_there_and_the_rows_stay_the_same(make_ctx, tmp_path,
                                                                                                 monkeypatch):
    """While the oldest group's answer is not back (here: the worker takes a second to start), the loader's process
    does the next group itself (a bounded number ahead) instead of waiting; the answers are still applied in
    reading order."""
    org_dir = _grouping_input(tmp_path)
    con, _stats = run(ctx := make_ctx(org_dir))
    alone = _everything(con, ctx)
    _with_workers(monkeypatch, 1, 1)
    _worker_setup_with(monkeypatch, _OnArrival(time.sleep, 1.0))
    made: list[ptv_workers.Workers] = []

    class Counted(ptv_workers.Workers):
        def __init__(self, *args):
            super().__init__(*args)
            made.append(self)

    monkeypatch.setattr(ptv_workers, "Workers", Counted)
    con_w, _ = run(ctx_w := make_ctx(org_dir))
    assert _everything(con_w, ctx_w) == alone
    assert len(made) == 1 and made[0].local_groups >= 2


def test_a_worker_that_dies_ends_the_build_with_a_clear_error(make_ctx, tmp_path, monkeypatch):
    org_dir = _grouping_input(tmp_path)
    _with_workers(monkeypatch, 1, 1)
    _worker_setup_with(monkeypatch, _OnArrival(os._exit, 3))
    monkeypatch.setattr(ptv_workers, "LOCAL_AHEAD", 0)   # the loader waits for the worker, which is gone
    with pytest.raises(EtlError, match="worker process handling PTV records ended without an answer.*"
                                       "JARJESTOKARTTA_PTV_WORKERS=0"):
        run(make_ctx(org_dir))


def test_worker_count_setting(tmp_path, monkeypatch):
    page = tmp_path / "page.json"
    page.write_bytes(b"x" * 1000)
    monkeypatch.delenv(ptv_workers.ENV_WORKERS, raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert ptv_workers.worker_count([page]) == 0                   # small input: no workers
    monkeypatch.setattr(ptv_workers, "MIN_BYTES", 1500)
    assert ptv_workers.worker_count([page, page]) == 1             # once the pages are large: one per CPU but one
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert ptv_workers.worker_count([page, page]) == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert ptv_workers.worker_count([page, page]) == 0             # one CPU: none
    for value, expected in (("0", 0), ("3", 3)):
        monkeypatch.setenv(ptv_workers.ENV_WORKERS, value)
        assert ptv_workers.worker_count([page]) == expected
    for value in ("two", "-1", "99"):
        monkeypatch.setenv(ptv_workers.ENV_WORKERS, value)
        with pytest.raises(EtlError, match="JARJESTOKARTTA_PTV_WORKERS"):
            ptv_workers.worker_count([page])
