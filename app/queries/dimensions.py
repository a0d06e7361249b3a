"""The lists the pickers offer (areas, municipalities, activity types, target groups) and the map shapes."""
from __future__ import annotations

import duckdb
import pandas as pd

from app.queries.base import _LABEL, _NAME, _df


def areas(con: duckdb.DuckDBPyConnection, *, lang: str = "fi") -> pd.DataFrame:
    return _df(con, f"""
        select code, {_NAME.format(p='')} as name, kind, population, municipality_count, similarity_group,
               size_band, urban_share
        from area where code <> '91' order by name""", {"lang": lang})


def municipalities(con: duckdb.DuckDBPyConnection, *, lang: str = "fi",
                   area_code: str | None = None) -> pd.DataFrame:
    return _df(con, f"""
        select code, {_NAME.format(p='')} as name, area_code, population
        from municipality where not is_aland and ($area is null or area_code = $area) order by name""",
               {"lang": lang, "area": area_code})


def activity_types(con: duckdb.DuckDBPyConnection, *, lang: str = "fi") -> pd.DataFrame:
    return _df(con, f"select code, {_LABEL.format(p='')} as label from dim_activity_type order by sort_order",
               {"lang": lang})


def target_groups(con: duckdb.DuckDBPyConnection, *, lang: str = "fi") -> pd.DataFrame:
    return _df(con, f"select code, {_LABEL.format(p='')} as label from dim_target_group order by sort_order",
               {"lang": lang})


def geo_areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(con, "select code, geojson from geo_area order by code")


def geo_municipalities(con: duckdb.DuckDBPyConnection, *, area_code: str | None = None,
                       codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    return _df(con, """
        select code, area_code, geojson from geo_municipality
        where ($area is null or area_code = $area) and ($codes is null or list_contains($codes, code))
        order by code""", {"area": area_code, "codes": list(codes) if codes else None})
