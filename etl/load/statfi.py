"""Statistics Finland: municipality boundaries + population (WFS GeoJSON, EPSG:3067) and the classification key.

Produces `stg_statfi__municipality`, the core tables `municipality` (308) and `area` (22), and the display layers
`geo_municipality` / `geo_area`. Reads the recorded live format from `<offline_dir>/statfi/`.
"""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from ..context import BuildContext, EtlError, LoadStats, write_table
from ..geo import MEASURE_CRS, display_geojson, repair, require_crs

SOURCE = "statfi"
REQUIRED_PROPS = ["kunta", "vuosi", "nimi", "til_vuosi", "vaesto", "miehet", "naiset", "ika_0_14", "ika_15_64",
                  "ika_65_"]
KEY_COLUMNS = ["municipality_code", "municipality_name_fi", "municipality_name_sv", "municipality_name_en",
               "hyvinvointialue_code", "hyvinvointialue_name_fi", "hyvinvointialue_name_sv",
               "hyvinvointialue_name_en", "maakunta_code", "maakunta_name_fi", "kielisuhde_code",
               "kielisuhde_name_fi", "kielisuhde_name_en", "kuntaryhmitys_code", "kuntaryhmitys_name_fi",
               "kuntaryhmitys_name_en"]
HOW_TO_GET = ("obtain it with `python -m etl fetch --only statfi` (needs a network) or point "
              "JARJESTOKARTTA_OFFLINE_DIR / --offline-dir at a folder that has statfi/ (e.g. ../shared/data/raw)")
AREA_SIMPLIFY_M = 900.0
MUNICIPALITY_SIMPLIFY_M = 350.0


def _latest(folder: Path, pattern: str) -> Path:
    files = sorted(folder.glob(pattern))
    if not files:
        raise EtlError(f"missing input: no {pattern} in {folder}; {HOW_TO_GET}")
    return files[-1]   # the file names carry the year, so the last one is the newest


def read_wfs(path: Path) -> gpd.GeoDataFrame:
    try:
        with open(path, "rb") as f:
            doc = json.loads(f.read())
    except json.JSONDecodeError as e:
        raise EtlError(f"{path}: malformed JSON at line {e.lineno} column {e.colno}: {e.msg}") from e
    if doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise EtlError(f"{path}: not a GeoJSON FeatureCollection (WFS GetFeature response expected)")
    n = len(doc["features"])
    if doc.get("numberReturned") not in (None, n):
        raise EtlError(f"{path}: numberReturned {doc.get('numberReturned')} but {n} features (truncated download?)")
    crs_name = ((doc.get("crs") or {}).get("properties") or {}).get("name", "")
    if not crs_name:
        raise EtlError(f"{path}: the response names no CRS; refusing to guess (expected EPSG:3067)")
    epsg = crs_name.rsplit(":", 1)[-1]
    missing = [p for p in REQUIRED_PROPS if p not in (doc["features"][0].get("properties") or {})] if n else REQUIRED_PROPS
    if missing:
        raise EtlError(f"{path}: features lack properties {missing}")
    gdf = gpd.GeoDataFrame.from_features(doc["features"], crs=f"EPSG:{epsg}")
    return require_crs(gdf, str(path))


def read_key(path: Path) -> pd.DataFrame:
    key = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in KEY_COLUMNS if c not in key.columns]
    if missing:
        raise EtlError(f"{path}: classification key lacks columns {missing}")
    return key


def _similarity(row: pd.Series) -> tuple[str, str]:
    # thresholds chosen so the 22 areas fall into three groups of similar size (urban share of population)
    mix = "urban" if row.urban_share >= 0.75 else ("semi_urban" if row.urban_share >= 0.55 else "rural")
    size = "small" if row.population < 150_000 else ("medium" if row.population < 350_000 else "large")
    return mix, size


def load(con, ctx: BuildContext) -> LoadStats:
    stats = LoadStats(SOURCE)
    folder = ctx.offline_dir / "statfi"
    wfs_path = _latest(folder, "vaestoalue_kunta_vaki*.json")
    key_path = _latest(folder, "municipality_key_*.csv")
    stats.files = [wfs_path.name, key_path.name]
    gdf = read_wfs(wfs_path).to_crs(MEASURE_CRS)
    key = read_key(key_path)
    stats.read = len(gdf)

    gdf["kunta"] = gdf["kunta"].astype(str).str.zfill(3)
    dup = gdf["kunta"][gdf["kunta"].duplicated()]
    if len(dup):
        raise EtlError(f"{wfs_path}: duplicate municipality codes {sorted(set(dup))}")
    merged = gdf.merge(key, left_on="kunta", right_on="municipality_code", how="outer", indicator=True)
    unmatched = merged[merged["_merge"] != "both"]
    if len(unmatched):
        codes = sorted(set(unmatched["kunta"].dropna()) | set(unmatched["municipality_code"].dropna()))
        raise EtlError(f"{wfs_path.name} and {key_path.name} disagree on municipality codes: {codes}")
    merged = gpd.GeoDataFrame(merged.drop(columns="_merge"), geometry="geometry", crs=MEASURE_CRS)
    merged = repair(merged)
    for col in ("vaesto", "miehet", "naiset", "ika_0_14", "ika_15_64", "ika_65_"):
        merged[col] = pd.to_numeric(merged[col], errors="raise").astype("int64")

    bad_sum = merged[merged["ika_0_14"] + merged["ika_15_64"] + merged["ika_65_"] != merged["vaesto"]]
    if len(bad_sum):
        raise EtlError(f"{wfs_path.name}: age bands do not sum to the population for {list(bad_sum['kunta'])}")

    write_table(con, "stg_statfi__municipality", pd.DataFrame(merged.drop(columns="geometry")))

    point = merged.geometry.representative_point()
    point_wgs = gpd.GeoSeries(point, crs=MEASURE_CRS).to_crs("EPSG:4326")
    muni = pd.DataFrame({
        "code": merged["kunta"],
        "name_fi": merged["municipality_name_fi"], "name_sv": merged["municipality_name_sv"],
        "name_en": merged["municipality_name_en"],
        "area_code": merged["hyvinvointialue_code"].str.zfill(2),
        "is_aland": merged["hyvinvointialue_code"] == "91",
        "maakunta_code": merged["maakunta_code"], "maakunta_name_fi": merged["maakunta_name_fi"],
        "population": merged["vaesto"], "men": merged["miehet"], "women": merged["naiset"],
        "pop_0_14": merged["ika_0_14"], "pop_15_64": merged["ika_15_64"], "pop_65_plus": merged["ika_65_"],
        "language_status_code": merged["kielisuhde_code"], "language_status_fi": merged["kielisuhde_name_fi"],
        "language_status_en": merged["kielisuhde_name_en"],
        "is_bilingual_or_swedish": merged["kielisuhde_code"].isin(["01", "02", "03"]),
        "urban_rural_code": merged["kuntaryhmitys_code"], "urban_rural_fi": merged["kuntaryhmitys_name_fi"],
        "urban_rural_en": merged["kuntaryhmitys_name_en"],
        "centroid_x": point.x.round(1), "centroid_y": point.y.round(1),
        "lon": point_wgs.x.round(5), "lat": point_wgs.y.round(5),
        "population_date": pd.to_datetime((merged["til_vuosi"].astype(int)).astype(str) + "-12-31").dt.date,
        "boundary_year": merged["vuosi"].astype(int),
    }).sort_values("code").reset_index(drop=True)
    write_table(con, "municipality", muni)

    mainland = merged[merged["hyvinvointialue_code"] != "91"].copy()
    mainland["urban_pop"] = mainland["vaesto"].where(mainland["kuntaryhmitys_code"] == "01", 0)
    dissolved = mainland.dissolve(by="hyvinvointialue_code", aggfunc={
        "hyvinvointialue_name_fi": "first", "hyvinvointialue_name_sv": "first", "hyvinvointialue_name_en": "first",
        "vaesto": "sum", "ika_0_14": "sum", "ika_15_64": "sum", "ika_65_": "sum", "kunta": "count",
        "urban_pop": "sum"}).reset_index()
    dissolved["geometry"] = shapely.make_valid(dissolved.geometry.values)
    area = pd.DataFrame({
        "code": dissolved["hyvinvointialue_code"],
        "name_fi": dissolved["hyvinvointialue_name_fi"], "name_sv": dissolved["hyvinvointialue_name_sv"],
        "name_en": dissolved["hyvinvointialue_name_en"],
        "kind": ["city_of_helsinki" if c == "90" else "wellbeing_services_county"
                 for c in dissolved["hyvinvointialue_code"]],
        "population": dissolved["vaesto"].astype("int64"), "pop_0_14": dissolved["ika_0_14"].astype("int64"),
        "pop_15_64": dissolved["ika_15_64"].astype("int64"), "pop_65_plus": dissolved["ika_65_"].astype("int64"),
        "municipality_count": dissolved["kunta"].astype("int64"),
        "urban_share": (dissolved["urban_pop"] / dissolved["vaesto"]).round(4),
    })
    sim = area.apply(_similarity, axis=1, result_type="expand")
    area["size_band"] = sim[1]
    area["similarity_group"] = sim[0] + "_" + sim[1]
    area = area.sort_values("code").reset_index(drop=True)
    write_table(con, "area", area)

    geo_area = pd.DataFrame({"code": dissolved["hyvinvointialue_code"],
                             "geojson": display_geojson(dissolved, AREA_SIMPLIFY_M)})
    geo_area["bytes"] = geo_area["geojson"].str.len()
    write_table(con, "geo_area", geo_area.sort_values("code").reset_index(drop=True))
    geo_muni = pd.DataFrame({"code": mainland["kunta"].values,
                             "area_code": mainland["hyvinvointialue_code"].values,
                             "geojson": display_geojson(mainland, MUNICIPALITY_SIMPLIFY_M)})
    geo_muni["bytes"] = geo_muni["geojson"].str.len()
    write_table(con, "geo_municipality", geo_muni.sort_values("code").reset_index(drop=True))

    stats.loaded = len(muni)
    return stats
