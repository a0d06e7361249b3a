"""Marts on a tiny hand-built warehouse (real DuckDB, in memory). Every expected value below is worked out by hand
from the fixture; the comments show the arithmetic.

Fixture geography (3 areas, 6 mainland municipalities + 1 Åland municipality outside the frame):

    area 01: 101 (pop 10 000), 102 (5 000, bilingual), 103 (1 000)      -> 16 000
    area 02: 201 (20 000, bilingual Swedish-majority), 202 (4 000)      -> 24 000
    area 90: 091 (60 000, bilingual)                                    -> 60 000      mainland 100 000
    area 91 (not in `area`): 478 Åland

Activities (type / mode / where / target groups):
    A1 O1 vertaistuki      in_person  101+102        ikaantyneet   sv
    A2 O1 neuvonta_ohjaus  online     101            kaikki
    A3 O2 vertaistuki      in_person  201+091        ikaantyneet, tyottomat
    A4 O2 neuvonta_ohjaus  phone      NATIONAL       kaikki        sv
    A5 O3 kohtaamispaikka  hybrid     201            nuoret        sv
    A6 O3 muu              in_person  202            kaikki        (no languages)
    A7 O3 kohtaamispaikka  in_person  (no place)     kaikki
Organisations: O1 home 101, O2 home 091 (the "headquarters"), O3 home 201, O4 home 102 (stea+ytj, no activity),
O5 no home (stea, grants in 02 and 90), O6 home 202 (ptv, no activity).
"""
from __future__ import annotations

from datetime import date

import duckdb
import pytest

from etl.marts import MART_ORDER, build_marts

TYPES = ["vertaistuki", "neuvonta_ohjaus", "kohtaamispaikka", "muu"]
GROUPS = [("ikaantyneet", "age_65_plus"), ("nuoret", "age_15_29_if_available_else_total"),
          ("tyottomat", "age_15_64"), ("kaikki", "total")]

DDL = """
create table area (code varchar, name_fi varchar, kind varchar, population bigint, pop_0_14 bigint,
    pop_15_64 bigint, pop_65_plus bigint, municipality_count integer);
create table municipality (code varchar, name_fi varchar, area_code varchar, is_aland boolean, population bigint,
    pop_0_14 bigint, pop_15_64 bigint, pop_65_plus bigint, language_status_code varchar,
    centroid_x double, centroid_y double);
create table dim_activity_type (code varchar, label_fi varchar, sort_order integer);
create table dim_target_group (code varchar, label_fi varchar, population_denominator varchar, sort_order integer);
create table organisation (org_id varchar, business_id varchar, business_id_valid boolean, name varchar,
    website varchar, home_municipality_code varchar, home_area_code varchar, sources varchar[], updated_at timestamp);
create table activity (activity_id varchar, org_id varchar, activity_type varchar, mode varchar,
    is_in_person boolean, is_national boolean, languages varchar[], offered_in_swedish boolean,
    updated_at timestamp);
create table activity_municipality (activity_id varchar, municipality_code varchar, area_code varchar);
create table activity_target_group (activity_id varchar, target_group varchar);
create table "grant" (grant_id varchar, org_id varchar, business_id varchar, organisation_name varchar,
    year integer, area_code varchar, requested double, granted double);
create table need_indicator (area_level varchar, code varchar, indicator varchar, period varchar, value double,
    unit varchar, source varchar);
"""

AREAS = [
    # code, name, kind, population, 0-14, 15-64, 65+, municipality_count
    ("01", "Alue Yksi", "wellbeing_services_county", 16000, 2400, 9500, 4100, 3),
    ("02", "Alue Kaksi", "wellbeing_services_county", 24000, 3600, 15400, 5000, 2),
    ("90", "Helsinki", "city_of_helsinki", 60000, 8000, 42000, 10000, 1),
]
MUNICIPALITIES = [
    # code, name, area, is_aland, pop, 0-14, 15-64, 65+, language status, centroid x, centroid y (EPSG:3067)
    ("101", "Ykkönen", "01", False, 10000, 1500, 6000, 2500, "00", 300000, 6700000),
    ("102", "Kakkonen", "01", False, 5000, 800, 3000, 1200, "01", 330000, 6740000),
    ("103", "Kolmonen", "01", False, 1000, 100, 500, 400, "00", 310000, 6710000),
    ("201", "Nelonen", "02", False, 20000, 3000, 13000, 4000, "03", 400000, 6900000),
    ("202", "Vitonen", "02", False, 4000, 600, 2400, 1000, "00", 420000, 6950000),
    ("091", "Helsinki", "90", False, 60000, 8000, 42000, 10000, "01", 385000, 6672000),
    ("478", "Ahvenanmaa", "91", True, 1500, 200, 900, 400, "02", 100000, 6700000),
]
ORGANISATIONS = [
    ("O000001", "1111111-1", True, "Vertaisapu ry", "101", "01", ["ptv"], "2024-06-01"),
    ("O000002", "2222222-2", True, "Keskusliitto ry", "091", "90", ["ptv", "ytj"], "2023-01-01"),
    ("O000003", "3333333-3", True, "Kohtaamo ry", "201", "02", ["lahella"], None),
    ("O000004", "4444444-4", True, "Hiljainen yhdistys ry", "102", "01", ["stea", "ytj"], "2025-01-01"),
    ("O000005", None, False, "Tuntematon säätiö", None, None, ["stea"], None),
    ("O000006", None, False, "Pelkkä PTV ry", "202", "02", ["ptv"], "2020-01-01"),
]
ACTIVITIES = [
    # id, org, type, mode, in person, national, languages, offered in Swedish, updated
    ("A1", "O000001", "vertaistuki", "in_person", True, False, ["fi", "sv"], True, "2025-03-01"),
    ("A2", "O000001", "neuvonta_ohjaus", "online", False, False, ["fi"], False, "2024-01-01"),
    ("A3", "O000002", "vertaistuki", "in_person", True, False, ["fi"], False, "2024-01-01"),
    ("A4", "O000002", "neuvonta_ohjaus", "phone", False, True, ["fi", "sv"], True, "2024-02-01"),
    ("A5", "O000003", "kohtaamispaikka", "hybrid", True, False, ["sv"], True, "2025-05-01"),
    ("A6", "O000003", "muu", "in_person", True, False, [], False, "2023-01-01"),
    ("A7", "O000003", "kohtaamispaikka", "in_person", True, False, ["fi"], False, "2023-01-01"),
]
ACTIVITY_MUNICIPALITY = [("A1", "101", "01"), ("A1", "102", "01"), ("A2", "101", "01"), ("A3", "201", "02"),
                         ("A4", "091", "90"),  # a national service that also names its home town
                         ("A3", "091", "90"), ("A5", "201", "02"), ("A6", "202", "02")]
ACTIVITY_TARGET_GROUP = [("A1", "ikaantyneet"), ("A2", "kaikki"), ("A3", "ikaantyneet"), ("A3", "tyottomat"),
                         ("A4", "kaikki"), ("A5", "nuoret"), ("A6", "kaikki"), ("A7", "kaikki")]
GRANTS = [
    # id, org, business id, name, year, area, requested, granted
    ("G1", "O000004", "4444444-4", "Hiljainen yhdistys ry", 2023, "01", 10000, 8000),
    ("G2", "O000004", "4444444-4", "Hiljainen yhdistys ry", 2024, "01", 12000, 0),     # rejected
    ("G3", None, "7777777-7", "Muu ry", 2023, "01", 5000, 5000),                          # unmatched, by bid
    ("G4", "O000005", None, "Tuntematon säätiö", 2023, "02", 20000, 15000),
    ("G5", "O000005", None, "Tuntematon säätiö", 2023, "90", 3000, 3000),
    ("G6", None, None, "Paikaton ry", 2023, None, 9999, 9999),                            # no area: left out
    ("G7", "O000001", "1111111-1", "Vertaisapu ry", 2023, "01", 4000, 4000),
    ("G8", None, None, "Pieni kerho", 2023, "01", 1000, 1000),                            # unmatched, by name
    ("G9", None, None, " pieni KERHO ", 2023, "01", 500, 500),                            # same organisation
]
NEED = [
    ("area", "01", "sote_need_coefficient_total", "2022", 0.9),
    ("area", "01", "sote_need_coefficient_total", "2023", 1.1),
    ("area", "02", "sote_need_coefficient_total", "2023", 0.95),
    ("area", "90", "sote_need_coefficient_total", "2022", 0.8),
    ("area", "90", "sote_need_coefficient_total", "2023", 1.2),
    ("country", "SSS", "sote_need_coefficient_total", "2023", 1.0),
    ("area", "01", "Huono-osaisuus yhteensä", "2019-2021", 95.0),
    ("area", "02", "Huono-osaisuus yhteensä", "2019-2021", 80.0),
    ("area", "90", "Huono-osaisuus yhteensä", "2019-2021", 144.8),
    ("area", "90", "Inhimillinen huono-osaisuus", "2019-2021", 130.0),
    ("municipality", "101", "Huono-osaisuus yhteensä", "2019-2021", 77.0),
    ("municipality", "101", "unemployed_jobseekers_share_of_labour_force", "2024M12", 99.0),
    ("municipality", "101", "unemployed_jobseekers_share_of_labour_force", "2025M01", 10.0),
    ("municipality", "102", "unemployed_jobseekers_share_of_labour_force", "2025M01", 12.0),
    ("municipality", "103", "unemployed_jobseekers_share_of_labour_force", "2025M01", 20.0),
    ("municipality", "201", "unemployed_jobseekers_share_of_labour_force", "2025M01", 8.0),
    ("municipality", "202", "unemployed_jobseekers_share_of_labour_force", "2024M12", 9.0),  # no 2025M01 value
    ("municipality", "091", "unemployed_jobseekers_share_of_labour_force", "2025M01", 12.7),
    ("municipality", "102", "swedish_speaking_population", "2021", 1400),
    ("municipality", "102", "swedish_speaking_population", "2022", 1500),
    ("municipality", "201", "swedish_speaking_population", "2022", 12000),
    ("municipality", "091", "swedish_speaking_population", "2021", 36000),
    ("municipality", "091", "swedish_speaking_population", "2022", 36748),
    ("municipality", "478", "swedish_speaking_population", "2022", 1400),
]


def build(need: list[tuple]) -> duckdb.DuckDBPyConnection:
    c = duckdb.connect(":memory:")
    c.execute(DDL)
    c.executemany("insert into area values (?, ?, ?, ?, ?, ?, ?, ?)", AREAS)
    c.executemany("insert into municipality values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", MUNICIPALITIES)
    c.executemany("insert into dim_activity_type values (?, ?, ?)", [(t, t, i) for i, t in enumerate(TYPES)])
    c.executemany("insert into dim_target_group values (?, ?, ?, ?)",
                  [(g, g, d, i) for i, (g, d) in enumerate(GROUPS)])
    c.executemany("insert into organisation (org_id, business_id, business_id_valid, name, home_municipality_code, "
                  "home_area_code, sources, updated_at) "
                  "values (?, ?, ?, ?, ?, ?, ?, ?)", ORGANISATIONS)
    c.executemany("insert into activity values (?, ?, ?, ?, ?, ?, ?, ?, ?)", ACTIVITIES)
    c.executemany("insert into activity_municipality values (?, ?, ?)", ACTIVITY_MUNICIPALITY)
    c.executemany("insert into activity_target_group values (?, ?)", ACTIVITY_TARGET_GROUP)
    c.executemany('insert into "grant" values (?, ?, ?, ?, ?, ?, ?, ?)', GRANTS)
    c.executemany("insert into need_indicator values (?, ?, ?, ?, ?, 'u', 's')", need)
    build_marts(c, ref_date=date(2025, 6, 30))
    return c


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    c = build(NEED)
    yield c
    c.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def one(con: duckdb.DuckDBPyConnection, table: str, **key: str) -> dict:
    where = " and ".join(f"{k} = ?" for k in key)
    found = rows(con, f"select * from {table} where {where}", list(key.values()))
    assert len(found) == 1, (table, key, found)
    return found[0]


def approx_rows(expected):
    """Rows compared exactly, except floats (relative 1e-9); nested lists (e.g. sources) compared as is."""
    if isinstance(expected, list):
        return [approx_rows(e) for e in expected]
    if isinstance(expected, dict):
        return {k: v if isinstance(v, (list, str, bool)) or v is None else pytest.approx(v)
                for k, v in expected.items()}
    return expected


METRIC_COLUMNS = ["area_code", "activity_type", "target_group", "activities", "orgs_active", "orgs_registered",
                  "population", "band_population", "rate_per_10k", "orgs_active_per_10k",
                  "orgs_registered_per_10k", "rate_per_1k_band", "lq", "municipalities_with",
                  "municipality_count", "coverage_muni_share", "coverage_pop_share", "small_number",
                  "small_number_orgs_active", "small_number_orgs_registered", "small_number_band"]


def test_row_counts_and_full_grid(con):
    counts = build_marts(con, ref_date=date(2025, 6, 30))  # a rebuild gives the same tables
    assert list(counts) == list(MART_ORDER)
    assert counts == {
        "mart_country_metrics": 25,        # (4 types + _all) x (4 groups + _all)
        "mart_area_metrics": 75,           # 3 areas x 25: zero rows included
        "mart_municipality_metrics": 150,  # 6 mainland municipalities x 25 (Åland 478 left out)
        "mart_white_spot": 13,             # vertaistuki 2 + neuvonta_ohjaus 6 + kohtaamispaikka 5
        "mart_national_reach": 5,
        "mart_grants_area_year": 4,
        "mart_swedish_coverage": 3,
        "mart_need_supply": 3,
        "mart_org_visibility": 6,
        "mart_data_gap": 2,
        "mart_activity_list": 9,           # one row per activity x municipality; national ones once
        "mart_org_source": 0,              # this fixture has no organisation_source rows
    }
    cols = [r[0] for r in con.execute("describe mart_area_metrics").fetchall()]
    assert cols == METRIC_COLUMNS
    assert [r[0] for r in con.execute("describe mart_country_metrics").fetchall()] == METRIC_COLUMNS


def test_country_totals(con):
    assert one(con, "mart_country_metrics", activity_type="_all", target_group="_all") == approx_rows({
        "area_code": "SSS", "activity_type": "_all", "target_group": "_all",
        "activities": 5,            # A1 A2 A3 A5 A6; A4 national, A7 has no place
        "orgs_active": 3, "orgs_registered": 5,  # O1 O2 O3 O4 O6 (O5 has no home)
        "population": 100000, "band_population": 100000,
        "rate_per_10k": 0.5, "orgs_active_per_10k": 0.3, "orgs_registered_per_10k": 0.5,
        "rate_per_1k_band": 0.05, "lq": 1.0,
        "municipalities_with": 5, "municipality_count": 6,    # 103 has nothing in person
        "coverage_muni_share": 5 / 6, "coverage_pop_share": 0.99,  # all but 103 (1 000)
        # each rate its own flag: 5 activities and 5 registered organisations are enough, 3 active ones are not
        "small_number": False, "small_number_orgs_active": True, "small_number_orgs_registered": False,
        "small_number_band": False,
    })
    # kaikki: A2 + A6 placed; registered with a kaikki activity anywhere: O1 (A2), O2 (national A4), O3 (A6, A7)
    r = one(con, "mart_country_metrics", activity_type="_all", target_group="kaikki")
    assert (r["activities"], r["orgs_active"], r["orgs_registered"], r["municipalities_with"]) == (2, 2, 3, 1)
    assert r["coverage_pop_share"] == pytest.approx(0.04)  # only 202 has an in-person kaikki activity
    r = one(con, "mart_country_metrics", activity_type="_all", target_group="ikaantyneet")
    assert (r["activities"], r["band_population"]) == (2, 19100)
    assert r["rate_per_1k_band"] == pytest.approx(2 / 19100 * 1000)


def test_area_counts_multi_municipality_activity_once(con):
    # area 01: A1 (101 + 102) counts once, A2 once -> 2; registered O1 + O4 (no activity, still registered)
    assert one(con, "mart_area_metrics", area_code="01", activity_type="_all", target_group="_all") == approx_rows({
        "area_code": "01", "activity_type": "_all", "target_group": "_all",
        "activities": 2, "orgs_active": 1, "orgs_registered": 2,
        "population": 16000, "band_population": 16000,
        "rate_per_10k": 1.25, "orgs_active_per_10k": 0.625, "orgs_registered_per_10k": 1.25,
        # LQ reference: the areas' own counts 2 + 3 + 1 = 6 (A3 counts in 02 and 90) per 100 000 = 0.6 per 10k
        "rate_per_1k_band": 0.125, "lq": 1.25 / 0.6,
        "municipalities_with": 2, "municipality_count": 3,
        "coverage_muni_share": 2 / 3, "coverage_pop_share": 0.9375,  # (10 000 + 5 000) / 16 000
        "small_number": True, "small_number_orgs_active": True, "small_number_orgs_registered": True,
        "small_number_band": True,
    })
    r = one(con, "mart_area_metrics", area_code="01", activity_type="vertaistuki", target_group="_all")
    assert r["activities"] == 1
    # ... and in each of its municipalities
    for code in ("101", "102"):
        assert one(con, "mart_municipality_metrics", municipality_code=code, activity_type="vertaistuki",
                   target_group="_all")["activities"] == 1


def test_area_target_group_band_and_lq(con):
    # vertaistuki / ikaantyneet: areas 01 (A1), 02 (A3), 90 (A3) -> 3 per 100 000 = 0.3 per 10k (the LQ reference);
    # area 01 has A1 -> 0.625 per 10k
    assert one(con, "mart_area_metrics", area_code="01", activity_type="vertaistuki",
               target_group="ikaantyneet") == approx_rows({
        "area_code": "01", "activity_type": "vertaistuki", "target_group": "ikaantyneet",
        "activities": 1, "orgs_active": 1, "orgs_registered": 1,
        "population": 16000, "band_population": 4100,
        "rate_per_10k": 0.625, "orgs_active_per_10k": 0.625, "orgs_registered_per_10k": 0.625,
        "rate_per_1k_band": 1000 / 4100, "lq": 0.625 / 0.3,
        "municipalities_with": 2, "municipality_count": 3,
        "coverage_muni_share": 2 / 3, "coverage_pop_share": 0.9375, "small_number": True,
        "small_number_orgs_active": True, "small_number_orgs_registered": True, "small_number_band": True,
    })
    r = one(con, "mart_area_metrics", area_code="90", activity_type="vertaistuki", target_group="ikaantyneet")
    assert r["lq"] == pytest.approx((1 / 6) / 0.3)
    # nuoret has no 15-29 band: the whole population is the denominator
    r = one(con, "mart_area_metrics", area_code="02", activity_type="kohtaamispaikka", target_group="nuoret")
    assert (r["activities"], r["band_population"]) == (1, 24000)
    assert r["rate_per_1k_band"] == pytest.approx(1000 / 24000)
    r = one(con, "mart_area_metrics", area_code="90", activity_type="vertaistuki", target_group="tyottomat")
    assert r["band_population"] == 42000


def test_zero_row_is_present(con):
    assert one(con, "mart_area_metrics", area_code="01", activity_type="kohtaamispaikka",
               target_group="ikaantyneet") == approx_rows({
        "area_code": "01", "activity_type": "kohtaamispaikka", "target_group": "ikaantyneet",
        "activities": 0, "orgs_active": 0, "orgs_registered": 0,
        "population": 16000, "band_population": 4100,
        "rate_per_10k": 0.0, "orgs_active_per_10k": 0.0, "orgs_registered_per_10k": 0.0,
        "rate_per_1k_band": 0.0, "lq": None,               # national rate is 0
        "municipalities_with": 0, "municipality_count": 3,
        "coverage_muni_share": 0.0, "coverage_pop_share": 0.0, "small_number": True,
        "small_number_orgs_active": True, "small_number_orgs_registered": True, "small_number_band": True,
    })


def test_online_activity_counts_but_does_not_cover(con):
    r = one(con, "mart_area_metrics", area_code="01", activity_type="neuvonta_ohjaus", target_group="_all")
    assert (r["activities"], r["municipalities_with"], r["coverage_muni_share"]) == (1, 0, 0.0)


def test_headquarters_effect_and_national_excluded(con):
    # O2 is registered in Helsinki (90) but its only placed activity A3 is in 201 and 091; A4 is national
    r = one(con, "mart_area_metrics", area_code="90", activity_type="_all", target_group="_all")
    assert (r["activities"], r["orgs_active"], r["orgs_registered"]) == (1, 1, 1)
    assert r["lq"] == pytest.approx((1 / 6) / 0.6)
    r = one(con, "mart_area_metrics", area_code="02", activity_type="_all", target_group="_all")
    # active: O2 (A3) and O3 (A5, A6); registered: O3 and O6 (no activity)
    assert (r["activities"], r["orgs_active"], r["orgs_registered"]) == (3, 2, 2)
    # neuvonta_ohjaus in 90: only the national A4 -> no activity here, but O2 is registered here with one
    r = one(con, "mart_area_metrics", area_code="90", activity_type="neuvonta_ohjaus", target_group="kaikki")
    assert (r["activities"], r["orgs_active"], r["orgs_registered"], r["lq"]) == (0, 0, 1, 0.0)


def test_municipality_metrics(con):
    assert one(con, "mart_municipality_metrics", municipality_code="101", activity_type="_all",
               target_group="_all") == approx_rows({
        "municipality_code": "101", "area_code": "01", "activity_type": "_all", "target_group": "_all",
        "activities": 2, "in_person_activities": 1, "orgs_active": 1, "orgs_registered": 1,
        "population": 10000, "band_population": 10000, "rate_per_10k": 2.0, "rate_per_1k_band": 0.2,
        "lq": 2.0 / 0.7,   # reference: the municipalities' own counts 2 + 1 + 0 + 2 + 1 + 1 = 7 per 100 000
        "small_number": True, "small_number_orgs_active": True, "small_number_orgs_registered": True,
        "small_number_band": True,
    })
    # 102: A1 only; O4 registered here counts in '_all'/'_all' but has no vertaistuki activity
    r = one(con, "mart_municipality_metrics", municipality_code="102", activity_type="_all", target_group="_all")
    assert (r["activities"], r["orgs_registered"]) == (1, 1)
    r = one(con, "mart_municipality_metrics", municipality_code="102", activity_type="vertaistuki",
            target_group="_all")
    assert (r["activities"], r["orgs_active"], r["orgs_registered"]) == (1, 1, 0)
    r = one(con, "mart_municipality_metrics", municipality_code="091", activity_type="vertaistuki",
            target_group="tyottomat")
    assert r == approx_rows({
        "municipality_code": "091", "area_code": "90", "activity_type": "vertaistuki", "target_group": "tyottomat",
        "activities": 1, "in_person_activities": 1, "orgs_active": 1, "orgs_registered": 1,
        "population": 60000, "band_population": 42000, "rate_per_10k": 1 / 6, "rate_per_1k_band": 1 / 42,
        "lq": (1 / 6) / 0.2,   # A3 counts in 201 and 091: 2 per 100 000
        "small_number": True, "small_number_orgs_active": True, "small_number_orgs_registered": True,
        "small_number_band": True,
    })
    assert rows(con, "select * from mart_municipality_metrics where municipality_code = '478'") == []


def test_white_spots(con):
    got = rows(con, "select * from mart_white_spot order by activity_type, municipality_code")
    assert got == approx_rows([
        # kohtaamispaikka: only 201 has one in person (A5 hybrid; A7 has no place)
        {"activity_type": "kohtaamispaikka", "municipality_code": "091", "area_code": "90", "population": 60000,
         "nearest_municipality_code": "201", "distance_km": 228.5},   # sqrt(15^2 + 228^2) km = 228.49
        {"activity_type": "kohtaamispaikka", "municipality_code": "101", "area_code": "01", "population": 10000,
         "nearest_municipality_code": "201", "distance_km": 223.6},   # sqrt(100^2 + 200^2) = 223.61
        {"activity_type": "kohtaamispaikka", "municipality_code": "102", "area_code": "01", "population": 5000,
         "nearest_municipality_code": "201", "distance_km": 174.6},   # sqrt(70^2 + 160^2) = 174.64
        {"activity_type": "kohtaamispaikka", "municipality_code": "103", "area_code": "01", "population": 1000,
         "nearest_municipality_code": "201", "distance_km": 210.2},   # sqrt(90^2 + 190^2) = 210.24
        {"activity_type": "kohtaamispaikka", "municipality_code": "202", "area_code": "02", "population": 4000,
         "nearest_municipality_code": "201", "distance_km": 53.9},    # sqrt(20^2 + 50^2) = 53.85
        # neuvonta_ohjaus: nothing in person anywhere (A2 online, A4 national) -> no nearest
        *[{"activity_type": "neuvonta_ohjaus", "municipality_code": c, "area_code": a, "population": p,
           "nearest_municipality_code": None, "distance_km": None}
          for c, a, p in [("091", "90", 60000), ("101", "01", 10000), ("102", "01", 5000), ("103", "01", 1000),
                          ("201", "02", 20000), ("202", "02", 4000)]],
        # vertaistuki in 101, 102, 201, 091
        {"activity_type": "vertaistuki", "municipality_code": "103", "area_code": "01", "population": 1000,
         "nearest_municipality_code": "101", "distance_km": 14.1},    # sqrt(10^2 + 10^2) = 14.14
        {"activity_type": "vertaistuki", "municipality_code": "202", "area_code": "02", "population": 4000,
         "nearest_municipality_code": "201", "distance_km": 53.9},
    ])


def test_national_reach(con):
    got = {r["activity_type"]: (r["activities"], r["organisations"])
           for r in rows(con, "select * from mart_national_reach")}
    assert got == {"_all": (1, 1), "neuvonta_ohjaus": (1, 1), "vertaistuki": (0, 0), "kohtaamispaikka": (0, 0),
                   "muu": (0, 0)}


def test_grants_area_year(con):
    got = rows(con, "select * from mart_grants_area_year order by area_code, year")
    assert got == approx_rows([
        # G1 G3 G7 G8 G9; organisations O4, bid 7777777-7, O1, name 'pieni kerho' (G8 = G9)
        {"area_code": "01", "year": 2023, "grants": 5, "organisations": 4, "requested": 20500.0, "granted": 18500.0},
        {"area_code": "01", "year": 2024, "grants": 0, "organisations": 0, "requested": 12000.0, "granted": 0.0},
        {"area_code": "02", "year": 2023, "grants": 1, "organisations": 1, "requested": 20000.0, "granted": 15000.0},
        {"area_code": "90", "year": 2023, "grants": 1, "organisations": 1, "requested": 3000.0, "granted": 3000.0},
    ])


def test_swedish_coverage(con):
    got = rows(con, "select * from mart_swedish_coverage order by municipality_code")
    assert got == approx_rows([
        # 091: A3 not in Swedish, A4 national -> 0
        {"municipality_code": "091", "area_code": "90", "language_status_code": "01", "swedish_speakers": 36748,
         "swedish_year": 2022, "activities_sv": 0, "activities_sv_per_10k_swedish": 0.0, "small_number": True},
        {"municipality_code": "102", "area_code": "01", "language_status_code": "01", "swedish_speakers": 1500,
         "swedish_year": 2022, "activities_sv": 1, "activities_sv_per_10k_swedish": 10000 / 1500,
         "small_number": True},
        {"municipality_code": "201", "area_code": "02", "language_status_code": "03", "swedish_speakers": 12000,
         "swedish_year": 2022, "activities_sv": 1, "activities_sv_per_10k_swedish": 10000 / 12000,
         "small_number": True},
    ])


# Thresholds of the quadrants: need coefficient 1 (country = 1), deprivation 100 (median county = 100), unemployment
# the mainland share in 2025M01 over the municipalities with a value (202 has none):
# (10*10000 + 12*5000 + 20*1000 + 8*20000 + 12.7*60000) / 96 000 = 1 102 000 / 96 000; supply the national rate 0.5
THRESHOLDS = {"need_coefficient_threshold": 1.0, "deprivation_index_threshold": 100.0,
              "unemployment_threshold": 1102000 / 96000, "supply_threshold": 0.5}


def test_need_supply(con):
    got = rows(con, "select * from mart_need_supply order by area_code")
    assert got == approx_rows([
        {"area_code": "01", "need_coefficient": 1.1, "need_year": 2023, "deprivation_index": 95.0,
         "deprivation_period": "2019-2021",
         "unemployment": 11.25, "unemployment_period": "2025M01",   # (10*10000 + 12*5000 + 20*1000) / 16000
         "supply_rate_per_10k": 1.25, "need_rank": 2, "supply_rank": 2,
         "gap_score": 0.44, "quadrant": "high_need_high_supply",    # 1.1 / (1.25 / 0.5)
         **THRESHOLDS, "quadrant_deprivation_index": "low_need_high_supply",   # 95 <= 100
         "quadrant_unemployment": "low_need_high_supply"},                      # 11.25 <= 11.479
        {"area_code": "02", "need_coefficient": 0.95, "need_year": 2023, "deprivation_index": 80.0,
         "deprivation_period": "2019-2021",
         "unemployment": 8.0, "unemployment_period": "2025M01",     # 202 has no 2025M01 value
         "supply_rate_per_10k": 1.25, "need_rank": 3, "supply_rank": 2,  # tie with 01
         "gap_score": 0.38, "quadrant": "low_need_high_supply",
         **THRESHOLDS, "quadrant_deprivation_index": "low_need_high_supply",
         "quadrant_unemployment": "low_need_high_supply"},
        {"area_code": "90", "need_coefficient": 1.2, "need_year": 2023, "deprivation_index": 144.8,
         "deprivation_period": "2019-2021",
         "unemployment": 12.7, "unemployment_period": "2025M01",
         "supply_rate_per_10k": 1 / 6, "need_rank": 1, "supply_rank": 1,
         "gap_score": 3.6, "quadrant": "high_need_low_supply",       # 1.2 / ((1/6) / 0.5)
         **THRESHOLDS, "quadrant_deprivation_index": "high_need_low_supply",   # 144.8 > 100
         "quadrant_unemployment": "high_need_low_supply"},                      # 12.7 > 11.479
    ])


def test_org_visibility(con):
    got = rows(con, "select * from mart_org_visibility order by org_id")
    base = {"types_classified": 1.0, "location_known": True, "languages_known": True, "target_groups_known": True}
    no_activity = {"activities": 0, "municipalities": 0, "areas": 0, "types_classified": None,
                   "location_known": False, "languages_known": False, "target_groups_known": False}
    assert got == approx_rows([
        {"org_id": "O000001", "name": "Vertaisapu ry", "business_id": "1111111-1", "business_id_valid": True,
         "sources": ["ptv"], "activities": 2, "municipalities": 2, "areas": 1, **base,
         "updated_within_12m": True, "home_area_code": "01"},           # A1 updated 2025-03-01
        {"org_id": "O000002", "name": "Keskusliitto ry", "business_id": "2222222-2", "business_id_valid": True,
         "sources": ["ptv", "ytj"], "activities": 2, "municipalities": 2, "areas": 2, **base,
         "updated_within_12m": False, "home_area_code": "90"},          # latest 2024-02-01 < 2024-06-30
        {"org_id": "O000003", "name": "Kohtaamo ry", "business_id": "3333333-3", "business_id_valid": True,
         "sources": ["lahella"], "activities": 3, "municipalities": 2, "areas": 1,
         "types_classified": 2 / 3,        # A6 is muu
         "location_known": False,          # A7 has no municipality
         "languages_known": False,         # A6 has no languages
         "target_groups_known": True,      # A5 nuoret
         "updated_within_12m": True, "home_area_code": "02"},
        {"org_id": "O000004", "name": "Hiljainen yhdistys ry", "business_id": "4444444-4",
         "business_id_valid": True, "sources": ["stea", "ytj"], **no_activity,
         "updated_within_12m": True, "home_area_code": "01"},           # organisation record 2025-01-01
        {"org_id": "O000005", "name": "Tuntematon säätiö", "business_id": None, "business_id_valid": False,
         "sources": ["stea"], **no_activity, "updated_within_12m": False, "home_area_code": None},
        {"org_id": "O000006", "name": "Pelkkä PTV ry", "business_id": None, "business_id_valid": False,
         "sources": ["ptv"], **no_activity, "updated_within_12m": False, "home_area_code": "02"},
    ])


def test_data_gap(con):
    got = rows(con, "select * from mart_data_gap order by org_id")
    assert got == approx_rows([
        {"area_code": "01", "org_id": "O000004", "name": "Hiljainen yhdistys ry", "business_id": "4444444-4",
         "known_from": "stea,ytj", "granted_total": 8000.0},
        # no home: the area that received most of its grants (02: 15 000 vs 90: 3 000)
        {"area_code": "02", "org_id": "O000005", "name": "Tuntematon säätiö", "business_id": None,
         "known_from": "stea", "granted_total": 18000.0},
    ])


def test_build_ref_kept_when_not_given(con):
    # the build's own reference date is not overwritten by a later run without one
    build_marts(con)
    assert con.execute("select ref_date from _build_ref").fetchall() == [(date(2025, 6, 30),)]


# The same world with periods that differ between areas: area 90 lacks the latest need coefficient, Åland has a newer
# unemployment month than the mainland, 201's latest Swedish speakers are a year older and Åland's a year newer.
NEED_MIXED = [r for r in NEED if r[:4] != ("area", "90", "sote_need_coefficient_total", "2023")
              and r[:4] != ("municipality", "201", "swedish_speaking_population", "2022")] + [
    ("municipality", "478", "unemployed_jobseekers_share_of_labour_force", "2025M02", 3.0),
    ("municipality", "201", "swedish_speaking_population", "2021", 11000),
    ("municipality", "478", "swedish_speaking_population", "2023", 1450),
]


@pytest.fixture(scope="module")
def con_mixed() -> duckdb.DuckDBPyConnection:
    c = build(NEED_MIXED)
    yield c
    c.close()


def test_one_period_per_indicator(con_mixed):
    got = {r["area_code"]: r for r in rows(con_mixed, "select * from mart_need_supply")}
    # need: 2023 for the whole country; 90 has no 2023 value -> empty (not its 2022 value 0.8)
    assert {a: (r["need_coefficient"], r["need_year"]) for a, r in got.items()} == {
        "01": (1.1, 2023), "02": (0.95, 2023), "90": (None, 2023)}
    assert (got["90"]["quadrant"], got["90"]["need_rank"], got["90"]["gap_score"]) == (None, None, None)
    assert got["90"]["quadrant_deprivation_index"] == "high_need_low_supply"   # deprivation is still there
    # unemployment: the mainland's latest month 2025M01, not Åland's 2025M02
    assert {a: r["unemployment_period"] for a, r in got.items()} == {"01": "2025M01", "02": "2025M01",
                                                                     "90": "2025M01"}
    assert got["01"]["unemployment"] == pytest.approx(11.25)
    assert got["01"]["unemployment_threshold"] == pytest.approx(1102000 / 96000)
    # Swedish speakers: 2022 for every municipality (Åland's 2023 is outside the frame); 201 has none for 2022
    sw = {r["municipality_code"]: (r["swedish_speakers"], r["swedish_year"])
          for r in rows(con_mixed, "select * from mart_swedish_coverage")}
    assert sw == {"091": (36748, 2022), "102": (1500, 2022), "201": (None, 2022)}


def test_location_quotient_population_weighted_mean_is_one(con):
    # at area and at municipality level, for every type x group cell that has an LQ
    for table, unit in (("mart_area_metrics", "area_code"), ("mart_municipality_metrics", "municipality_code")):
        got = rows(con, f"""
            select activity_type, target_group, sum(population * lq) / sum(population) as mean_lq, count(*) as n
            from {table} where lq is not null group by all""")
        assert len(got) >= 10, table
        for r in got:
            assert r["mean_lq"] == pytest.approx(1.0), (table, r)
