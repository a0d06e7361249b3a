"""Service paths (issue 10): the path marts on a hand-made fixture whose every value is worked out by hand below,
the public PTV loader (public / private / unknown types, county areas, unknown class, unresolvable area, guid-list
index pages, the record balance), the vocabulary override and the demo build.

Fixture world (etl/sql/mart_path_*.sql): four mainland municipalities in two areas, one Åland municipality.
    001 area 01 pop 10,000 (15-64: 6,000)  centroid (0, 0)
    002 area 01 pop  3,000 (15-64: 1,800)  centroid (10 km, 0)
    003 area 02 pop 50,000 (15-64: 35,000) centroid (0, 30 km)
    004 area 02 pop  1,000 (15-64:   500)  centroid (40 km, 0)
    478 Åland (area 91, not in `area`)
Paths: mh (target group mielenterveys, public class P5.7, denominator total) and ty (tyottomat, P10.7,
unemployed). Stages: osallisuus 1 (kohtaamispaikka), vertaistuki 2 (vertaistuki), julkinen 3 (public).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import pytest

from etl import marts, public_services
from etl.load import ptv
from etl.load.staging import write_staging
from etl.load.ptv import PUBLIC_CHANNEL_COLUMNS, PUBLIC_SERVICE_COLUMNS

SQRT_10 = round(math.hypot(10, 30), 1)   # 31.6 km: 002 <-> 003


def _csv(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.strip() + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def ref_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("ref")
    _csv(d / "taxonomy" / "service_paths.csv", """
code,label_fi,label_sv,label_en,target_groups,public_service_classes,need_denominator,description_en
mh,Mielenterveys,Psykisk hälsa,Mental health,mielenterveys,P5.7,total,Mental health
ty,Työllistyminen,Sysselsättning,Employment,tyottomat,P10.7,unemployed,Employment
""")
    _csv(d / "taxonomy" / "path_stages.csv", """
code,order,label_fi,label_sv,label_en,side,activity_types,description_en
osallisuus,1,Osallisuus,Delaktighet,Participation,organisations,kohtaamispaikka,Open
vertaistuki,2,Vertaistuki,Kamratstöd,Peer support,organisations,vertaistuki,Peer
julkinen,3,Julkinen,Offentlig,Public,public,,Public
""")
    _csv(d / "sources" / "ptv_service_classes_ptvserclass2.csv", """
code,uri,name_fi,level,parent_code
P5,u,Terveydenhuolto,1,
P5.7,u,Päihde- ja mielenterveyspalvelut,2,P5
P10,u,Työ ja työttömyys,1,
P10.7,u,Tuettu työllistyminen,2,P10
""")
    return d


def _public_staging(con) -> None:
    def svc(sid, org_type, classes, area_type, munis, channels):
        return {"source_id": sid, "file": "f", "record_ref": "$[0]", "org_source_id": f"org-{org_type}",
                "org_name": f"{org_type} org", "org_type": org_type, "name_fi": f"Palvelu {sid}", "name_sv": None,
                "name_en": None, "class_codes": classes, "languages": ["fi"], "area_type": area_type,
                "municipality_codes": munis, "channel_ids": channels, "url": None, "updated_at": None}

    def ch(cid, kind, muni, services=()):
        return {"source_id": cid, "file": "f", "record_ref": "$[0]", "org_source_id": "org", "channel_type": kind,
                "name": f"Paikka {cid}", "municipality_code": muni, "lat": None, "lon": None,
                "address": "Katu 1" if muni else None, "url": f"https://example.org/{cid}", "phone": None,
                "service_ids": list(services)}

    write_staging(con, "stg_ptv__public_service", PUBLIC_SERVICE_COLUMNS, [
        svc("s1", "Region", ["P5.7"], "LimitedType", ["001"], ["ch1", "ch6"]),
        svc("s2", "Region", ["P5.7.1"], "LimitedType", ["004"], []),          # a sub-class: unknown, on mh
        svc("s3", "State", ["P5.7"], "Nationwide", [], []),                    # its office names it (ch3)
        svc("s4", "Municipality", ["P10.7"], "LimitedType", ["003"], ["ch4"]),
        svc("s5", "Region", ["P99.9"], "LimitedType", ["002"], ["ch5"]),        # unknown class: on no path
    ])
    write_staging(con, "stg_ptv__public_channel", PUBLIC_CHANNEL_COLUMNS, [
        ch("ch1", "ServiceLocation", "001"), ch("ch3", "ServiceLocation", "003", ["s3"]),
        ch("ch4", "ServiceLocation", "003"), ch("ch5", "ServiceLocation", "002"), ch("ch6", "Phone", None),
    ])


@pytest.fixture(scope="module")
def con(ref_dir) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("""create table municipality as select * from (values
        ('001', 'Yksi', 'Ett', '01', false, 10000, 2000, 6000, 2000, date '2024-12-31', 0.0, 0.0),
        ('002', 'Kaksi', 'Två', '01', false, 3000, 500, 1800, 700, date '2024-12-31', 10000.0, 0.0),
        ('003', 'Kolme', 'Tre', '02', false, 50000, 8000, 35000, 7000, date '2024-12-31', 0.0, 30000.0),
        ('004', 'Neljä', 'Fyra', '02', false, 1000, 100, 500, 400, date '2024-12-31', 40000.0, 0.0),
        ('478', 'Maarianhamina', 'Mariehamn', '91', true, 12000, 0, 0, 0, date '2024-12-31', 1.0, 1.0))
        as t(code, name_fi, name_sv, area_code, is_aland, population, pop_0_14, pop_15_64, pop_65_plus,
             population_date, centroid_x, centroid_y)""")
    c.execute("create table area as select * from (values ('01', 13000), ('02', 51000)) as t(code, population)")
    c.execute("""create table need_indicator as select * from (values
        ('municipality', '001', 'unemployed_jobseekers_share_of_labour_force', '2025M01', 5.0, '%', 'tem'),
        ('municipality', '002', 'unemployed_jobseekers_share_of_labour_force', '2025M01', 10.0, '%', 'tem'),
        ('municipality', '003', 'unemployed_jobseekers_share_of_labour_force', '2025M01', 4.0, '%', 'tem'),
        ('municipality', '003', 'unemployed_jobseekers_share_of_labour_force', '2024M12', 9.0, '%', 'tem'),
        ('municipality', '004', 'unemployed_jobseekers_share_of_labour_force', '2024M12', 8.0, '%', 'tem'),
        ('municipality', '478', 'unemployed_jobseekers_share_of_labour_force', '2025M02', 3.0, '%', 'tem'))
        as t(area_level, code, indicator, period, value, unit, source)""")
    c.execute("""create table activity as select * from (values
        ('a1', 'vertaistuki', true, false), ('a2', 'kohtaamispaikka', true, false),
        ('a3', 'vertaistuki', false, true), ('a4', 'kohtaamispaikka', true, false),
        ('a5', 'muu', true, false), ('a6', 'vertaistuki', true, false), ('a7', 'kohtaamispaikka', false, false))
        as t(activity_id, activity_type, is_in_person, is_national)""")
    c.execute("""create table activity_target_group as select * from (values
        ('a1', 'mielenterveys'), ('a2', 'mielenterveys'), ('a3', 'mielenterveys'), ('a4', 'kaikki'),
        ('a5', 'mielenterveys'), ('a6', 'tyottomat'), ('a6', 'mielenterveys'), ('a7', 'tyottomat'))
        as t(activity_id, target_group)""")
    c.execute("""create table activity_municipality as select * from (values
        ('a1', '001'), ('a1', '002'), ('a2', '003'), ('a4', '004'), ('a5', '004'), ('a6', '002'), ('a7', '001'))
        as t(activity_id, municipality_code)""")
    _public_staging(c)
    public_services.build_public_core(c, ref_dir, override_file=ref_dir / "no_override.csv")
    for mart in marts.PATH_MART_ORDER:
        c.execute((marts.paths.SQL_DIR / f"{mart}.sql").read_text(encoding="utf-8"))
    return c


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_dimensions_from_the_files(con):
    assert rows(con, "select path_code, sort_order, target_groups, public_service_classes, need_denominator "
                     "from dim_service_path order by sort_order") == [
        ("mh", 1, ["mielenterveys"], ["P5.7"], "total"), ("ty", 2, ["tyottomat"], ["P10.7"], "unemployed")]
    assert rows(con, "select stage_code, stage_order, side, activity_types from dim_path_stage "
                     "order by stage_order") == [
        ("osallisuus", 1, "organisations", ["kohtaamispaikka"]), ("vertaistuki", 2, "organisations", ["vertaistuki"]),
        ("julkinen", 3, "public", [])]


def test_public_core(con):
    assert rows(con, "select service_id, service_classes, service_classes_raw, unknown_service_classes "
                     "from public_service order by 1") == [
        ("s1", ["P5.7"], ["P5.7"], []), ("s2", ["unknown"], ["P5.7.1"], ["P5.7.1"]), ("s3", ["P5.7"], ["P5.7"], []),
        ("s4", ["P10.7"], ["P10.7"], []), ("s5", ["unknown"], ["P99.9"], ["P99.9"])]
    # links from either side; the phone channel is kept for the card
    assert rows(con, "select channel_id, service_id, channel_type, municipality_code from public_service_place "
                     "order by 1") == [
        ("ch1", "s1", "ServiceLocation", "001"), ("ch3", "s3", "ServiceLocation", "003"),
        ("ch4", "s4", "ServiceLocation", "003"), ("ch5", "s5", "ServiceLocation", "002"), ("ch6", "s1", "Phone", None)]
    # P5.7.1 under P5.7; P99.9 on no path
    assert rows(con, "select service_id, path_code from public_service_path order by 1") == [
        ("s1", "mh"), ("s2", "mh"), ("s3", "mh"), ("s4", "ty")]


def test_path_activity_bridge(con):
    # a4 (only 'kaikki') is listed open to all under both paths; a5 ('muu') is in no stage; a7 is online
    assert rows(con, "select * from mart_path_activity order by 1, 2, 3") == [
        ("mh", "osallisuus", "a2", True, False, False), ("mh", "osallisuus", "a4", True, False, True),
        ("mh", "vertaistuki", "a1", True, False, False), ("mh", "vertaistuki", "a3", False, True, False),
        ("mh", "vertaistuki", "a6", True, False, False),
        ("ty", "osallisuus", "a4", True, False, True), ("ty", "osallisuus", "a7", False, False, False),
        ("ty", "vertaistuki", "a6", True, False, False)]


def test_path_public_service(con):
    got = rows(con, "select path_code, service_id, municipality_code, via from mart_path_public_service "
                    "order by 1, 2, 3 nulls first, 4")
    assert got == [
        ("mh", "s1", "001", "area"), ("mh", "s1", "001", "place"), ("mh", "s2", "004", "area"),
        ("mh", "s3", None, "national"), ("mh", "s3", "003", "place"),
        ("ty", "s4", "003", "area"), ("ty", "s4", "003", "place")]
    # what the card shows: the place there (for 'place' rows) and the service's names, organisation and classes
    assert rows(con, """select service_id, via, name_fi, org_type, service_classes, place_name, address
                        from mart_path_public_service where path_code = 'mh' order by 1, 2""") == [
        ("s1", "area", "Palvelu s1", "Region", ["P5.7"], None, None),
        ("s1", "place", "Palvelu s1", "Region", ["P5.7"], "Paikka ch1", "Katu 1"),
        ("s2", "area", "Palvelu s2", "Region", ["unknown"], None, None),
        ("s3", "national", "Palvelu s3", "State", ["P5.7"], None, None),
        ("s3", "place", "Palvelu s3", "State", ["P5.7"], "Paikka ch3", "Katu 1")]


def test_path_municipality_status(con):
    got = rows(con, """select path_code, municipality_code, area_code, population, public_points,
                              public_services_covering, public_national, org_in_person, org_national, status,
                              nearest_org_municipality_code, nearest_org_distance_km
                       from mart_path_municipality order by 1, 2""")
    assert got == [
        # 001: office ch1 of s1 whose area is 001 too; a1 in person
        ("mh", "001", "01", 10000, 1, 1, 1, 1, 1, "both", None, None),
        # 002: a1 and a6, no public service (s5 has an unknown class)
        ("mh", "002", "01", 3000, 0, 0, 1, 2, 1, "organisations_only", None, None),
        # 003: the nationwide s3's office counts as a point; a2
        ("mh", "003", "02", 50000, 1, 0, 1, 1, 1, "both", None, None),
        # 004: covered by s2's area; a4 (open to all) and a5 (muu) do not count -> nearest 002 at 30 km
        ("mh", "004", "02", 1000, 0, 1, 1, 0, 1, "public_only", "002", 30.0),
        ("ty", "001", "01", 10000, 0, 0, 0, 0, 0, "neither", None, None),       # a7 is online
        ("ty", "002", "01", 3000, 0, 0, 0, 1, 0, "organisations_only", None, None),
        ("ty", "003", "02", 50000, 1, 1, 0, 0, 0, "public_only", "002", SQRT_10),
        ("ty", "004", "02", 1000, 0, 0, 0, 0, 0, "neither", None, None),
    ]
    assert rows(con, "select distinct municipality_name_fi from mart_path_municipality where municipality_code "
                     "= '004'") == [("Neljä",)]


def test_path_municipality_stage(con):
    got = rows(con, "select path_code, municipality_code, stage_code, activities from mart_path_municipality_stage "
                    "where activities > 0 order by 1, 2, 3")
    assert got == [("mh", "001", "julkinen", 1), ("mh", "001", "vertaistuki", 1), ("mh", "002", "vertaistuki", 2),
                   ("mh", "003", "julkinen", 1), ("mh", "003", "osallisuus", 1),
                   ("ty", "002", "vertaistuki", 1), ("ty", "003", "julkinen", 1)]
    assert rows(con, "select count(*) from mart_path_municipality_stage") == [(2 * 4 * 3,)]   # zeros included


def test_path_area(con):
    got = rows(con, """select path_code, area_code, municipalities, municipalities_both, municipalities_public_only,
                              municipalities_organisations_only, municipalities_neither, population_both,
                              population_public_only, population_organisations_only, population_neither,
                              denominator_kind, denominator_value, denominator_period
                       from mart_path_area order by 1, area_code = 'FI', 2""")
    # unemployed: one period for the country, the latest in mainland rows (2025M01; Åland's 2025M02 is left
    # out): 001 5 % x 6,000 = 300, 002 10 % x 1,800 = 180, 003 4 % x 35,000 = 1,400, 004 has no 2025M01 row
    assert got == [
        ("mh", "01", 2, 1, 0, 1, 0, 10000, 0, 3000, 0, "total", 13000.0, "2024-12-31"),
        ("mh", "02", 2, 1, 1, 0, 0, 50000, 1000, 0, 0, "total", 51000.0, "2024-12-31"),
        ("mh", "FI", 4, 2, 1, 1, 0, 60000, 1000, 3000, 0, "total", 64000.0, "2024-12-31"),
        ("ty", "01", 2, 0, 0, 1, 1, 0, 0, 3000, 10000, "unemployed", 480.0, "2025M01"),
        ("ty", "02", 2, 0, 1, 0, 1, 0, 50000, 0, 1000, "unemployed", 1400.0, "2025M01"),
        ("ty", "FI", 4, 0, 1, 1, 2, 0, 50000, 3000, 11000, "unemployed", 1880.0, "2025M01"),
    ]


def test_path_area_stage(con):
    got = rows(con, """select path_code, area_code, stage_code, activities, rate, rate_unit,
                              denominator_value, small_number
                       from mart_path_area_stage order by 1, area_code = 'FI', 2, stage_code""")
    expected = [
        ("mh", "01", "julkinen", 1, 1 / 13000 * 1e4, "per_10000", 13000.0, True),
        ("mh", "01", "osallisuus", 0, 0.0, "per_10000", 13000.0, True),
        ("mh", "01", "vertaistuki", 2, 2 / 13000 * 1e4, "per_10000", 13000.0, True),   # a1 once
        ("mh", "02", "julkinen", 1, 1 / 51000 * 1e4, "per_10000", 51000.0, True),
        ("mh", "02", "osallisuus", 1, 1 / 51000 * 1e4, "per_10000", 51000.0, True),
        ("mh", "02", "vertaistuki", 0, 0.0, "per_10000", 51000.0, True),
        ("mh", "FI", "julkinen", 2, 2 / 64000 * 1e4, "per_10000", 64000.0, True),
        ("mh", "FI", "osallisuus", 1, 1 / 64000 * 1e4, "per_10000", 64000.0, True),
        ("mh", "FI", "vertaistuki", 2, 2 / 64000 * 1e4, "per_10000", 64000.0, True),
        # employment: organisations per 1,000 unemployed; public points per 10,000 aged 15-64
        ("ty", "01", "julkinen", 0, 0.0, "per_10000", 7800.0, True),
        ("ty", "01", "osallisuus", 0, 0.0, "per_1000_unemployed", 480.0, True),
        ("ty", "01", "vertaistuki", 1, 1 / 480 * 1e3, "per_1000_unemployed", 480.0, True),
        ("ty", "02", "julkinen", 1, 1 / 35500 * 1e4, "per_10000", 35500.0, True),
        ("ty", "02", "osallisuus", 0, 0.0, "per_1000_unemployed", 1400.0, True),
        ("ty", "02", "vertaistuki", 0, 0.0, "per_1000_unemployed", 1400.0, True),
        ("ty", "FI", "julkinen", 1, 1 / 43300 * 1e4, "per_10000", 43300.0, True),
        ("ty", "FI", "osallisuus", 0, 0.0, "per_1000_unemployed", 1880.0, True),
        ("ty", "FI", "vertaistuki", 1, 1 / 1880 * 1e3, "per_1000_unemployed", 1880.0, True),
    ]
    assert [r[:4] + r[5:] for r in got] == [r[:4] + r[5:] for r in expected]
    assert [r[4] for r in got] == pytest.approx([r[4] for r in expected], rel=1e-12)


def test_path_nearby(con):
    assert rows(con, "select * from mart_path_nearby order by 1, 2, 3, rank") == [
        ("mh", "osallisuus", "001", "003", 30.0, 1), ("mh", "osallisuus", "002", "003", SQRT_10, 1),
        ("mh", "osallisuus", "004", "003", 50.0, 1),
        ("mh", "vertaistuki", "001", "002", 10.0, 1), ("mh", "vertaistuki", "002", "001", 10.0, 1),
        ("mh", "vertaistuki", "003", "001", 30.0, 1), ("mh", "vertaistuki", "003", "002", SQRT_10, 2),
        ("mh", "vertaistuki", "004", "002", 30.0, 1), ("mh", "vertaistuki", "004", "001", 40.0, 2),
        ("ty", "vertaistuki", "001", "002", 10.0, 1), ("ty", "vertaistuki", "003", "002", SQRT_10, 1),
        ("ty", "vertaistuki", "004", "002", 30.0, 1),
    ]


# --- vocabulary -----------------------------------------------------------------------------------------------

def test_project_override_applies_on_top_of_the_shared_file(reference_dir):
    df = public_services.service_paths(reference_dir).set_index("path_code")
    assert df.loc["nuoret", "public_service_classes"] == ["P4.9", "P5.9", "P28.5"]
    assert df.loc["tyollistyminen", "public_service_classes"] == ["P4.8", "P10.1", "P10.4", "P10.7"]
    assert df.loc["lapsiperheet", "public_service_classes"] == ["P3.6", "P3.7", "P3.8", "P5.2"]
    assert df.loc["mielenterveys", "public_service_classes"] == ["P5.7"]   # untouched rows as in the file
    assert list(df["sort_order"]) == list(range(1, 12))
    without = public_services.service_paths(reference_dir, Path("/nonexistent.csv")).set_index("path_code")
    assert without.loc["nuoret", "public_service_classes"] == ["P4.9", "P5.9"]


def test_override_naming_an_unknown_path_fails(reference_dir, tmp_path):
    bad = tmp_path / "o.csv"
    bad.write_text("path_code,field,value,reason\nnosuch,public_service_classes,P1,x\n", encoding="utf-8")
    with pytest.raises(Exception, match="unknown path 'nosuch'"):
        public_services.service_paths(reference_dir, bad)


# --- the PTV loader's public side ---------------------------------------------------------------------------------

def _org(oid, kind, name="Org"):
    return {"id": oid, "organizationType": kind, "organizationNames": [{"type": "Name", "language": "fi",
                                                                        "value": name}]}


def _service(sid, org, classes=(), area_type="LimitedType", areas=(), channels=()):
    return {"id": sid, "serviceNames": [{"type": "Name", "language": "fi", "value": f"Palvelu {sid}"}],
            "areaType": area_type, "areas": list(areas), "languages": ["fi"],
            "serviceClasses": [{"code": c} for c in classes],
            "organizations": [{"roleType": "Responsible", "organization": {"id": org}}],
            "serviceChannels": [{"serviceChannel": {"id": c}} for c in channels]}


def _write(root: Path, kind: str, name: str, doc) -> None:
    (root / "ptv" / kind).mkdir(parents=True, exist_ok=True)
    (root / "ptv" / kind / name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_ptv_public_side(make_ctx, resolver, tmp_path):
    county = sorted(c for c, a in resolver.area_of.items() if a == "17")
    _write(tmp_path, "organizations", "index.json", {"pageNumber": 1, "pageCount": 1, "itemList": [
        {"id": "x1", "name": "Jokin"}, {"id": "x2", "name": "Toinen"}, {"id": "x3"}]})
    _write(tmp_path, "organizations", "orgs.json", {"pageNumber": 1, "itemList": [
        _org("ngo", "Organization", "Yhdistys ry"), _org("hva", "Region", "Hyvinvointialue"),
        _org("kunta", "Municipality", "Kunta"), _org("valtio", "State", "Virasto"),
        _org("sote", "SotePublic", "Kuntayhtymä"), _org("oy", "Company", "Yritys Oy"),
        _org("priv", "SotePrivate", "Lääkäriasema Oy"), _org("muu", "Parish", "Seurakunta")]})
    _write(tmp_path, "channels", "ch.json", [
        {"id": "cp", "serviceChannelType": "ServiceLocation", "organizationId": "kunta",
         "serviceChannelNames": [{"type": "Name", "language": "fi", "value": "Työllisyyspiste"}],
         "addresses": [{"type": "Location", "streetAddress": {"street": [{"language": "fi", "value": "Katu"}],
                                                              "streetNumber": "2", "postalCode": "00100",
                                                              "municipality": {"code": "091"}}}],
         "phoneNumbers": [{"prefixNumber": "+358", "number": "29 123 4567"}]},
        {"id": "co", "serviceChannelType": "ServiceLocation", "organizationId": "oy", "addresses": []}])
    _write(tmp_path, "services", "s.json", [
        _service("s-county", "hva", ["P5.7"], areas=[{"type": "WellbeingServicesCounty", "code": "17"}]),
        _service("s-kunta", "kunta", ["P10.7"], channels=["cp"]),
        _service("s-state", "valtio", ["P15.1"], area_type="Nationwide"),
        _service("s-odd", "sote", ["P99.9", "P5.7"], areas=[{"type": "Municipality", "code": "049"}]),
        _service("s-lost", "hva", ["P5.7"], areas=[{"type": "HospitalDistrict", "code": "99"}]),
        _service("s-oy", "oy", ["P5.1"], areas=[{"type": "Municipality", "code": "091"}]),
        _service("s-ngo", "ngo", ["P4.12"], area_type="Nationwide")])
    ctx = make_ctx(tmp_path)
    con = duckdb.connect()
    stats = ptv.load(con, ctx)
    # read: 1 index page + 8 orgs + 2 channels + 7 services = 18; set aside: the index page, Company, SotePrivate,
    # Parish, the company's channel, s-lost (no municipality) and s-oy = 7
    assert (stats.read, stats.loaded, stats.quarantined) == (18, 11, 7)
    assert stats.read == stats.loaded + stats.quarantined
    assert [(r["file"], r["record_ref"], r["reason_code"]) for r in ctx.quarantine.rows] == [
        ("index.json", "$.itemList", "index_page"),
        ("orgs.json", "$.itemList[5]", "private_company"), ("orgs.json", "$.itemList[6]", "private_company"),
        ("orgs.json", "$.itemList[7]", "not_an_ngo"),
        ("ch.json", "$[1]", "private_company"),
        ("s.json", "$[4]", "unresolved_area"), ("s.json", "$[5]", "private_company")]
    assert "guid-list index page of 3 ids" in ctx.quarantine.rows[0]["message"]
    assert "HospitalDistrict 99" in ctx.quarantine.rows[5]["message"]
    # one vocabulary whichever API version: v11 Region / SotePublic are stored as v12's RegionalOrganization
    assert rows(con, "select source_id, org_type from stg_ptv__public_organisation order by 1") == [
        ("hva", "RegionalOrganization"), ("kunta", "Municipality"), ("sote", "RegionalOrganization"),
        ("valtio", "State")]
    assert rows(con, "select source_id from stg_ptv__organisation") == [("ngo",)]
    assert rows(con, "select source_id from stg_ptv__activity") == [("s-ngo",)]
    got = rows(con, """select source_id, org_source_id, org_type, class_codes, area_type, municipality_codes,
                              channel_ids from stg_ptv__public_service order by 1""")
    assert got == [
        # the county's municipalities
        ("s-county", "hva", "RegionalOrganization", ["P5.7"], "LimitedType", county, []),
        ("s-kunta", "kunta", "Municipality", ["P10.7"], "LimitedType", ["091"], ["cp"]),   # from its location
        ("s-odd", "sote", "RegionalOrganization", ["P99.9", "P5.7"], "LimitedType", ["049"], []),
        ("s-state", "valtio", "State", ["P15.1"], "Nationwide", [], []),
    ]
    assert len(county) > 5
    # the channel's phone number is not stored (no phone numbers anywhere: tests/test_privacy.py)
    assert rows(con, "select source_id, channel_type, municipality_code, address, phone, name "
                     "from stg_ptv__public_channel") == [
        ("cp", "ServiceLocation", "091", "Katu 2, 00100", None, "Työllisyyspiste")]


def test_region_area_resolved_from_the_municipality_table(make_ctx, tmp_path):
    """A `Region` (maakunta) area names no municipalities: the build's municipality table resolves its code."""
    _write(tmp_path, "organizations", "o.json", [_org("hva", "Region")])
    _write(tmp_path, "services", "s.json", [_service("s", "hva", ["P5.7"], areas=[{"type": "Region", "code": "6"}])])
    con = duckdb.connect()
    con.execute("create table municipality as select * from (values ('020', '06'), ('091', '01'), ('211', '06')) "
                "as t(code, maakunta_code)")
    stats = ptv.load(con, make_ctx(tmp_path))
    assert (stats.read, stats.loaded, stats.quarantined) == (2, 2, 0)
    assert rows(con, "select municipality_codes from stg_ptv__public_service") == [(["020", "211"],)]


# --- the demo ------------------------------------------------------------------------------------------------------

def test_demo_build_has_every_status_and_the_public_side(demo_warehouse):
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        statuses = {r[0] for r in rows(con, "select distinct status from mart_path_municipality")}
        assert statuses == {"both", "public_only", "organisations_only", "neither"}
        # not one colour per path either: most paths show at least three statuses
        per_path = rows(con, "select path_code, count(distinct status) from mart_path_municipality group by 1")
        assert len(per_path) == 11 and sum(n >= 3 for _p, n in per_path) >= 8
        types = dict(rows(con, "select org_type, count(distinct org_source_id) from public_service group by 1"))
        assert types["RegionalOrganization"] == 22 and types["State"] == 3 and types["Municipality"] > 10
        assert rows(con, "select count(*) from public_service where list_contains(service_classes, 'unknown') "
                         "and list_contains(service_classes_raw, 'P99.9')") == [(1,)]
        reasons = dict(rows(con, "select reason_code, count(*) from quarantine where source = 'ptv' group by 1"))
        assert reasons.get("unresolved_area") == 1 and "not_an_ngo" not in reasons
        # public services never reach an organisation table
        assert rows(con, "select count(*) from activity a join public_service p on p.service_id = a.source_id") \
            == [(0,)]
        assert rows(con, "select count(*) from organisation where name like 'Demo-hyvinvointialue%'") == [(0,)]
        # the small-number flag per figure: fewer than 5, or a denominator under 2,000; both values occur
        flags = rows(con, "select small_number, count(*) from mart_path_area_stage group by 1 order by 1")
        assert [f for f, _n in flags] == [False, True]
        assert rows(con, """select count(*) from mart_path_area_stage
                            where small_number is distinct from (activities < 5 or denominator_value < 2000)""") \
            == [(0,)]
        # the employment path is measured per 1,000 unemployed job seekers, the others per 10,000
        units = rows(con, "select distinct path_code = 'tyollistyminen', rate_unit from mart_path_area_stage "
                          "where stage_code <> 'julkinen' order by 1")
        assert units == [(False, "per_10000"), (True, "per_1000_unemployed")]
    finally:
        con.close()
