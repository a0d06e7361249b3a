"""Geography and need indicators from the real Statistics Finland / THL / Diak / TEM files."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape

from etl.context import BuildContext, EtlError
from etl.load import need, statfi


@pytest.fixture(scope="module")
def geo_con(offline_dir, reference_dir):
    con = duckdb.connect()
    ctx = BuildContext(offline_dir, reference_dir, [])
    stats = statfi.load(con, ctx)
    nstats = need.load(con, ctx)
    yield con, stats, nstats, ctx
    con.close()


def test_municipality_table_matches_reference(geo_con, reference_dir):
    con, stats, _, _ = geo_con
    assert (stats.read, stats.loaded, stats.quarantined) == (308, 308, 0)
    got = con.execute("select code, name_fi, name_sv, area_code, population from municipality order by code").df()
    ref = pd.read_csv(reference_dir / "geo" / "municipalities.csv", dtype=str)
    ref = ref.sort_values("municipality_code").reset_index(drop=True)
    assert list(got.code) == list(ref.municipality_code)
    assert list(got.name_fi) == list(ref.name_fi)
    assert list(got.population) == [int(p) for p in ref.population]
    ref_area = ref.wellbeing_region_code.fillna("91")
    assert list(got.area_code) == list(ref_area)
    assert con.execute("select count(*) from municipality where is_aland").fetchone()[0] == 16
    assert con.execute("select sum(population) from municipality where not is_aland").fetchone()[0] == 5_605_317
    assert con.execute("select sum(population) from municipality").fetchone()[0] == 5_635_971
    row = con.execute("select code, name_sv, population, pop_0_14 + pop_15_64 + pop_65_plus, language_status_code "
                      "from municipality where code = '091'").fetchone()
    assert row == ("091", "Helsingfors", 684_018, 684_018, "01")
    # Mariehamn: the classification name, not the WFS string 'Maarianhamina - Mariehamn'
    assert con.execute("select name_fi, name_sv from municipality where code = '478'").fetchone() == (
        "Maarianhamina", "Mariehamn")


def test_area_table_equals_reference(geo_con, reference_dir):
    con = geo_con[0]
    got = con.execute("select code, name_fi, name_sv, name_en, population, municipality_count from area "
                      "order by code").df()
    ref = pd.read_csv(reference_dir / "geo" / "wellbeing_regions.csv", dtype={"code": str})
    assert list(got.code) == [f"{i:02d}" for i in range(1, 22)] + ["90"]
    for col in ("name_fi", "name_sv", "name_en", "population", "municipality_count"):
        assert list(got[col]) == list(ref[col]), col
    assert con.execute("select population from area where code = '18'").fetchone()[0] == 67_723
    assert con.execute("select kind from area where code = '90'").fetchone()[0] == "city_of_helsinki"


def test_display_geometry_small_valid_and_clockwise(geo_con):
    con = geo_con[0]
    rows = con.execute("select code, geojson, bytes from geo_area order by code").fetchall()
    assert len(rows) == 22
    assert sum(r[2] for r in rows) < 300_000
    for code, gj, _ in rows:
        geom = shape(json.loads(gj))
        assert geom.is_valid, code
        parts = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
        for p in parts:
            assert not p.exterior.is_ccw, f"area {code} exterior ring must be clockwise for plotly geo"
        minx, miny, maxx, maxy = geom.bounds
        assert 19 < minx and maxx < 32 and 59 < miny and maxy < 71  # lon/lat in Finland
    assert con.execute("select count(*) from geo_municipality").fetchone()[0] == 292


def test_dissolved_area_covers_its_municipalities(geo_con):
    con = geo_con[0]
    area = shape(json.loads(con.execute("select geojson from geo_area where code = '04'").fetchone()[0]))
    vantaa = con.execute("select lon, lat from municipality where code = '092'").fetchone()
    kerava = con.execute("select lon, lat from municipality where code = '245'").fetchone()
    espoo = con.execute("select lon, lat from municipality where code = '049'").fetchone()
    assert area.contains(shapely.Point(vantaa)) and area.contains(shapely.Point(kerava))
    assert not area.contains(shapely.Point(espoo))


def test_need_indicators_loaded_with_real_values(geo_con):
    con, _, nstats, _ = geo_con
    assert nstats.balanced and nstats.quarantined == 0
    v = con.execute("select value from need_indicator where source = 'thl_need' and code = '14' "
                    "and indicator = 'sote_need_coefficient_total' and period = '2023'").fetchone()[0]
    assert round(v, 3) == 1.253
    d = con.execute("select value from need_indicator where source = 'diak' and area_level = 'area' "
                    "and code = '90' and indicator = 'Huono-osaisuus yhteensä'").fetchone()[0]
    assert round(d, 2) == 118.45
    u = con.execute("select value from need_indicator where source = 'tem' and code = '091' "
                    "and period = '2025M01'").fetchone()[0]
    assert u == 12.7
    s = con.execute("select value from need_indicator where indicator = 'swedish_speaking_population' "
                    "and code = '091' and period = '2022'").fetchone()[0]
    assert s == 36_748


def test_missing_wfs_file_names_it(tmp_path, reference_dir):
    (tmp_path / "statfi").mkdir()
    ctx = BuildContext(tmp_path, reference_dir, [])
    with pytest.raises(EtlError, match=r"no vaestoalue_kunta_vaki\*\.json in .*statfi.*fetch --only statfi"):
        statfi.load(duckdb.connect(), ctx)


def test_malformed_wfs_json_names_file_and_position(tmp_path, offline_dir, reference_dir):
    (tmp_path / "statfi").mkdir()
    shutil.copy(offline_dir / "statfi" / "municipality_key_2025.csv", tmp_path / "statfi")
    (tmp_path / "statfi" / "vaestoalue_kunta_vaki2024.json").write_text('{"type": "FeatureCollection",\n "features": [}')
    ctx = BuildContext(tmp_path, reference_dir, [])
    with pytest.raises(EtlError, match=r"vaestoalue_kunta_vaki2024\.json: malformed JSON at line 2 column"):
        statfi.load(duckdb.connect(), ctx)


def test_truncated_wfs_download_is_refused(tmp_path, offline_dir, reference_dir):
    (tmp_path / "statfi").mkdir()
    shutil.copy(offline_dir / "statfi" / "municipality_key_2025.csv", tmp_path / "statfi")
    doc = json.loads((offline_dir / "statfi" / "vaestoalue_kunta_vaki2024.json").read_text())
    doc["features"] = doc["features"][:-5]
    (tmp_path / "statfi" / "vaestoalue_kunta_vaki2024.json").write_text(json.dumps(doc))
    with pytest.raises(EtlError, match="numberReturned 308 but 303 features"):
        statfi.load(duckdb.connect(), BuildContext(tmp_path, reference_dir, []))
