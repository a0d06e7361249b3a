"""Geometry work, done once in the ETL: CRS checks, validity, dissolve, simplify for the web, ring orientation.

Measurements (distances, dissolves) happen in EPSG:3067 (ETRS-TM35FIN, metres). Display geometry is EPSG:4326,
simplified, rounded, and oriented with clockwise exterior rings, which is what plotly's d3-geo choropleths need
(counter-clockwise rings make d3 fill the whole globe).
"""
from __future__ import annotations

import json

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.polygon import orient

from .context import EtlError

MEASURE_CRS = "EPSG:3067"
DISPLAY_CRS = "EPSG:4326"


def require_crs(gdf: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise EtlError(f"{source}: the geometry has no coordinate reference system; refusing to guess")
    return gdf


def repair(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    invalid = ~gdf.geometry.is_valid
    if invalid.any():
        gdf = gdf.copy()
        gdf.loc[invalid, "geometry"] = shapely.make_valid(gdf.loc[invalid, "geometry"].values)
    return gdf


def orient_for_plotly(geom):
    """Clockwise exterior rings (sign=-1) for every polygon part."""
    if isinstance(geom, Polygon):
        return orient(geom, sign=-1.0)
    if isinstance(geom, MultiPolygon):
        return MultiPolygon([orient(p, sign=-1.0) for p in geom.geoms])
    polys = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    if not polys:
        raise EtlError(f"unexpected geometry type {geom.geom_type}")
    return orient_for_plotly(shapely.union_all(polys))


def display_geojson(gdf_measure: gpd.GeoDataFrame, tolerance_m: float, decimals: int = 4) -> list[str]:
    """Simplify in metres (topology kept per feature), reproject to WGS84, round, orient; one GeoJSON text each."""
    simplified = gdf_measure.geometry.simplify(tolerance_m, preserve_topology=True)
    wgs = gpd.GeoSeries(simplified, crs=gdf_measure.crs).to_crs(DISPLAY_CRS)
    out = []
    for geom in wgs:
        geom = shapely.set_precision(geom, 10 ** -decimals)
        geom = orient_for_plotly(shapely.make_valid(geom) if not geom.is_valid else geom)
        out.append(json.dumps(mapping(geom), separators=(",", ":")))
    return out
