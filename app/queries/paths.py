"""Queries of the service-path page and the referral card (issue 10): fn(con, *, plain params) -> DataFrame.

They read only the path dimensions and marts of the contract (dim_service_path, dim_path_stage,
mart_path_municipality, mart_path_municipality_stage, mart_path_area, mart_path_area_stage, mart_path_activity,
mart_path_public_service, mart_path_nearby, public_service, public_service_place) plus the existing activity list
mart, always naming their columns (a table that grows a column changes nothing here). Values are bound as named
parameters, as in the other app.queries modules. No streamlit import.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from app.queries.base import _LABEL, _NAME, _df

COUNTRY = "FI"           # area_code of the whole country in mart_path_area / mart_path_area_stage
STATUSES = ("both", "public_only", "organisations_only", "neither")
# the sources the card draws on: municipalities and population (statfi), public services (ptv), organisations'
# activities (the organisation sources, or the demo), the path vocabulary (taxonomy); the page's rates also use TEM
CARD_SOURCES = ("statfi", "statfi_classification", "ptv", "lahella", "template", "demo", "taxonomy")
PAGE_SOURCES = CARD_SOURCES + ("tem",)
NEARBY_PER_PLACE = 4     # activities shown per nearby municipality and stage
_ACTIVITY = ("case $lang when 'sv' then coalesce(l.name_sv, l.name_fi, l.name_en) "
             "when 'en' then coalesce(l.name_en, l.name_fi, l.name_sv) "
             "else coalesce(l.name_fi, l.name_sv, l.name_en) end")
_STAGE = _LABEL.format(p="s.")


def service_paths(con: duckdb.DuckDBPyConnection, *, lang: str = "fi") -> pd.DataFrame:
    """The paths in their order: code, label, need_denominator, description_en."""
    return _df(con, f"""
        select path_code as code, {_LABEL.format(p='')} as label, need_denominator, description_en
        from dim_service_path order by sort_order, path_code""", {"lang": lang})


def path_stages(con: duckdb.DuckDBPyConnection, *, lang: str = "fi") -> pd.DataFrame:
    """The stages left to right (stage_order): code, label, stage_order, side."""
    return _df(con, f"""
        select stage_code as code, {_LABEL.format(p='')} as label, stage_order, side
        from dim_path_stage order by stage_order""", {"lang": lang})


def path_municipalities(con: duckdb.DuckDBPyConnection, *, path_code: str, area_code: str | None = None,
                        lang: str = "fi") -> pd.DataFrame:
    """One row per mainland municipality of the area (or the country) for the path: the map and its table."""
    return _df(con, f"""
        select p.municipality_code as code, {_NAME.format(p='m.')} as name, p.area_code,
               {_NAME.format(p='a.')} as area_name, p.population, p.public_points, p.public_services_covering,
               p.public_national, p.org_in_person, p.org_national, p.status,
               p.nearest_org_municipality_code as nearest_code, {_NAME.format(p='n.')} as nearest_name,
               p.nearest_org_distance_km as nearest_distance_km
        from mart_path_municipality p
        join municipality m on m.code = p.municipality_code
        left join area a on a.code = p.area_code
        left join municipality n on n.code = p.nearest_org_municipality_code
        where p.path_code = $path and ($area is null or p.area_code = $area)
        order by name, code""", {"lang": lang, "path": path_code, "area": area_code})


def path_area(con: duckdb.DuckDBPyConnection, *, path_code: str, area_code: str = COUNTRY) -> pd.DataFrame:
    """The roll-up of one area (or COUNTRY): municipalities and population by status, the need denominator."""
    return _df(con, """
        select area_code, municipalities, municipalities_both, municipalities_public_only,
               municipalities_organisations_only, municipalities_neither, population_both, population_public_only,
               population_organisations_only, population_neither, denominator_kind, denominator_value,
               denominator_period
        from mart_path_area where path_code = $path and area_code = $area""",
               {"path": path_code, "area": area_code})


def path_stage_counts(con: duckdb.DuckDBPyConnection, *, path_code: str, area_code: str = COUNTRY,
                      municipality_code: str | None = None, lang: str = "fi") -> pd.DataFrame:
    """The path read left to right (stage_order) for an area (or COUNTRY), or for one municipality when
    municipality_code is given: activities per stage (public points at 'julkinen'); for an area also the rate,
    its unit and the small-number flag."""
    return _df(con, f"""
        select s.stage_code as code, {_STAGE} as label, s.stage_order, s.side, coalesce(x.activities, 0) as activities,
               x.rate, x.rate_unit, coalesce(x.small_number, false) as small_number
        from dim_path_stage s
        left join (
            select stage_code, activities, rate, rate_unit, small_number from mart_path_area_stage
            where $muni is null and path_code = $path and area_code = $area
            union all
            select stage_code, activities, null, null, null from mart_path_municipality_stage
            where $muni is not null and path_code = $path and municipality_code = $muni) x
          on x.stage_code = s.stage_code
        order by s.stage_order""", {"lang": lang, "path": path_code, "area": area_code, "muni": municipality_code})


def path_local_activities(con: duckdb.DuckDBPyConnection, *, path_code: str, municipality_code: str,
                          lang: str = "fi") -> pd.DataFrame:
    """In-person organisation activities of the path in the municipality, by stage (open-to-all ones flagged)."""
    return _df(con, f"""
        select distinct s.stage_code, {_STAGE} as stage, s.stage_order, l.activity_id, {_ACTIVITY} as activity,
               l.org_name as organisation, array_to_string(l.languages, ', ') as languages,
               coalesce(l.url, l.org_website) as url,
               coalesce(pa.open_to_all, false) as open_to_all
        from mart_path_activity pa
        join dim_path_stage s on s.stage_code = pa.stage_code
        join mart_activity_list l on l.activity_id = pa.activity_id and l.municipality_code = $muni
        where pa.path_code = $path and pa.is_in_person
        order by s.stage_order, open_to_all, organisation, activity, l.activity_id""",
               {"lang": lang, "path": path_code, "muni": municipality_code})


def path_nearby_activities(con: duckdb.DuckDBPyConnection, *, path_code: str, municipality_code: str,
                           lang: str = "fi", per_place: int = NEARBY_PER_PLACE) -> pd.DataFrame:
    """For each organisations stage, activities in the up-to-3 nearest other municipalities that have one
    (mart_path_nearby), nearest first, with the distance in km."""
    return _df(con, f"""
        with hits as (
            select distinct s.stage_code, {_STAGE} as stage, s.stage_order, n.rank, n.distance_km,
                   n.nearby_municipality_code as nearby_code, {_NAME.format(p='m.')} as municipality,
                   l.activity_id, {_ACTIVITY} as activity, l.org_name as organisation,
                   array_to_string(l.languages, ', ') as languages, coalesce(l.url, l.org_website) as url
            from mart_path_nearby n
            join dim_path_stage s on s.stage_code = n.stage_code
            join municipality m on m.code = n.nearby_municipality_code
            join mart_path_activity pa on pa.path_code = n.path_code and pa.stage_code = n.stage_code
                                       and pa.is_in_person and not coalesce(pa.open_to_all, false)
            join mart_activity_list l on l.activity_id = pa.activity_id
                                      and l.municipality_code = n.nearby_municipality_code
            where n.path_code = $path and n.municipality_code = $muni)
        select * exclude (k) from (
            select *, row_number() over (partition by stage_code, nearby_code order by organisation, activity,
                                                                                      activity_id) as k
            from hits)
        where k <= $per_place
        order by stage_order, rank, organisation, activity, activity_id""",
               {"lang": lang, "path": path_code, "muni": municipality_code, "per_place": per_place})


def path_national_activities(con: duckdb.DuckDBPyConnection, *, path_code: str, lang: str = "fi") -> pd.DataFrame:
    """National phone and online organisation services of the path."""
    return _df(con, f"""
        select distinct s.stage_code, {_STAGE} as stage, s.stage_order, l.activity_id, {_ACTIVITY} as activity,
               l.org_name as organisation, l.mode, array_to_string(l.languages, ', ') as languages,
               coalesce(l.url, l.org_website) as url
        from mart_path_activity pa
        join dim_path_stage s on s.stage_code = pa.stage_code
        join mart_activity_list l on l.activity_id = pa.activity_id
        where pa.path_code = $path and pa.is_national
        order by s.stage_order, organisation, activity, l.activity_id""", {"lang": lang, "path": path_code})


def path_public_services(con: duckdb.DuckDBPyConnection, *, path_code: str, municipality_code: str,
                         lang: str = "fi") -> pd.DataFrame:
    """Public services of the path for the municipality: service points there (via 'place'), area services that
    cover it ('area') and nationwide ones ('national'), with the addresses of their points in the municipality."""
    return _df(con, f"""
        select distinct x.via, case x.via when 'place' then 1 when 'area' then 2 else 3 end as via_order,
               ps.service_id, {_NAME.format(p='ps.')} as service, ps.org_name as organisation,
               array_to_string(ps.languages, ', ') as languages, ps.url,
               (select string_agg(distinct coalesce(pl.address, pl.name), '; ')
                from public_service_place pl
                where pl.service_id = ps.service_id and pl.municipality_code = $muni) as address
        from mart_path_public_service x
        join public_service ps on ps.service_id = x.service_id
        where x.path_code = $path and (x.municipality_code = $muni or x.via = 'national')
        order by via_order, service, ps.service_id""", {"lang": lang, "path": path_code, "muni": municipality_code})


__all__ = ["COUNTRY", "STATUSES", "CARD_SOURCES", "PAGE_SOURCES", "service_paths", "path_stages",
           "path_municipalities", "path_area",
           "path_stage_counts", "path_local_activities", "path_nearby_activities",
           "path_national_activities", "path_public_services"]
