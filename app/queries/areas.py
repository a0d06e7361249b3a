"""Area, country and municipality figures: the overview ranking, one area's profile, organisations, activities
and grants, the area x type matrix and the target-group breakdown."""
from __future__ import annotations

import duckdb
import pandas as pd

from app.queries.base import (ALL, MATRIX_METRICS, MUNICIPALITY_METRICS, _AREA_METRIC_CASE, _FLAG_CASE, _LABEL,
                               _MUNI_METRIC_CASE, _NAME, _df, check_metric)


# -- overview ---------------------------------------------------------------------------------------------------------

def area_metrics(con: duckdb.DuckDBPyConnection, *, metric: str, activity_type: str = ALL,
                 target_group: str = ALL, lang: str = "fi") -> pd.DataFrame:
    """One row per area for the chosen type and group: `value` is the chosen metric, ranked high to low."""
    check_metric(metric)
    return _df(con, f"""
        select m.area_code as code, {_NAME.format(p='a.')} as name, {_AREA_METRIC_CASE} as value,
               m.activities, m.orgs_active, m.orgs_registered, m.population, m.band_population, m.rate_per_10k,
               m.rate_per_1k_band, m.lq, m.municipalities_with, m.municipality_count, m.coverage_muni_share,
               m.coverage_pop_share, {_FLAG_CASE.format(p='m.')} as small_number
        from mart_area_metrics m join area a on a.code = m.area_code
        where m.activity_type = $type and m.target_group = $group
        order by value desc nulls last, name""",
               {"lang": lang, "metric": metric, "type": activity_type, "group": target_group})


def country_metrics(con: duckdb.DuckDBPyConnection, *, metric: str, activity_type: str = ALL,
                    target_group: str = ALL) -> pd.DataFrame:
    check_metric(metric)
    return _df(con, f"""
        select {_AREA_METRIC_CASE} as value, activities, orgs_active, orgs_registered, population, rate_per_10k,
               coverage_muni_share, coverage_pop_share
        from mart_country_metrics where activity_type = $type and target_group = $group""",
               {"metric": metric, "type": activity_type, "group": target_group})


def national_reach(con: duckdb.DuckDBPyConnection, *, lang: str = "fi") -> pd.DataFrame:
    return _df(con, f"""
        select r.activity_type as code, {_LABEL.format(p='t.')} as label, r.activities, r.organisations
        from mart_national_reach r join dim_activity_type t on t.code = r.activity_type
        order by r.activities desc, t.sort_order""", {"lang": lang})


# -- one area ---------------------------------------------------------------------------------------------------------

def municipality_metrics(con: duckdb.DuckDBPyConnection, *, area_code: str, metric: str = "rate_per_10k",
                         activity_type: str = ALL, target_group: str = ALL, lang: str = "fi") -> pd.DataFrame:
    check_metric(metric, MUNICIPALITY_METRICS)
    return _df(con, f"""
        select m.municipality_code as code, {_NAME.format(p='mu.')} as name, {_MUNI_METRIC_CASE} as value,
               m.activities, m.in_person_activities, m.orgs_active, m.orgs_registered, m.population,
               m.rate_per_10k, {_FLAG_CASE.format(p='m.')} as small_number
        from mart_municipality_metrics m join municipality mu on mu.code = m.municipality_code
        where m.area_code = $area and m.activity_type = $type and m.target_group = $group
        order by value desc nulls last, name""",
               {"lang": lang, "metric": metric, "area": area_code, "type": activity_type, "group": target_group})


def type_profile(con: duckdb.DuckDBPyConnection, *, area_code: str, target_group: str = ALL,
                 lang: str = "fi") -> pd.DataFrame:
    """Activities per 10,000 by type: the area, the country, and the areas in the same similarity group
    (pooled: their activities over their population, the area itself left out)."""
    return _df(con, f"""
        with me as (select similarity_group from area where code = $area),
        peers as (
            select m.activity_type, sum(m.activities) * 10000.0 / nullif(sum(m.population), 0) as peer_rate,
                   count(*) as peer_areas
            from mart_area_metrics m join area a on a.code = m.area_code
            where a.similarity_group = (select similarity_group from me) and m.area_code <> $area
              and m.target_group = $group
            group by m.activity_type)
        select t.code, {_LABEL.format(p='t.')} as label, m.activities, m.rate_per_10k as area_rate,
               c.rate_per_10k as country_rate, p.peer_rate, coalesce(p.peer_areas, 0) as peer_areas, m.lq,
               m.coverage_muni_share, m.small_number
        from dim_activity_type t
        join mart_area_metrics m on m.activity_type = t.code and m.area_code = $area and m.target_group = $group
        left join mart_country_metrics c on c.activity_type = t.code and c.target_group = $group
        left join peers p on p.activity_type = t.code
        order by t.sort_order""", {"area": area_code, "group": target_group, "lang": lang})


def similar_areas(con: duckdb.DuckDBPyConnection, *, area_code: str, lang: str = "fi") -> pd.DataFrame:
    return _df(con, f"""
        select code, {_NAME.format(p='')} as name from area
        where similarity_group = (select similarity_group from area where code = $area) and code <> $area
        order by name""", {"lang": lang, "area": area_code})


def area_organisations(con: duckdb.DuckDBPyConnection, *, area_code: str, activity_type: str = ALL,
                       lang: str = "fi") -> pd.DataFrame:
    """Organisations with at least one activity located in the area, with what they do there."""
    return _df(con, f"""
        with l as (
            select activity_id, org_id, org_name, business_id, activity_type, municipality_code
            from mart_activity_list
            where area_code = $area and org_name is not null and ($type = '_all' or activity_type = $type)),
        per_org as (
            select l.org_id, any_value(l.org_name) as name, any_value(l.business_id) as business_id,
                   count(distinct l.activity_id) as activities,
                   list(distinct {_LABEL.format(p='t.')} order by {_LABEL.format(p='t.')}) as types
            from l join dim_activity_type t on t.code = l.activity_type group by l.org_id),
        munis as (
            select l.org_id, list(distinct {_NAME.format(p='m.')} order by {_NAME.format(p='m.')}) as municipalities
            from l join municipality m on m.code = l.municipality_code group by l.org_id)
        select p.org_id, p.name, p.business_id, p.activities, array_to_string(p.types, ', ') as types,
               array_to_string(mu.municipalities, ', ') as municipalities
        from per_org p left join munis mu using (org_id)
        order by p.activities desc, p.name""", {"area": area_code, "type": activity_type, "lang": lang})


def area_activities(con: duckdb.DuckDBPyConnection, *, area_code: str, activity_type: str = ALL,
                    lang: str = "fi", limit: int = 2000) -> pd.DataFrame:
    return _df(con, f"""
        select l.activity_id, l.org_name as organisation,
               case $lang when 'sv' then coalesce(l.name_sv, l.name_fi) when 'en' then coalesce(l.name_en, l.name_fi)
                      else coalesce(l.name_fi, l.name_sv, l.name_en) end as activity,
               {_LABEL.format(p='t.')} as activity_type, l.mode,
               array_to_string(list(distinct {_NAME.format(p='m.')} order by {_NAME.format(p='m.')}), ', ')
                   as municipalities,
               l.url
        from mart_activity_list l
        join municipality m on m.code = l.municipality_code
        join dim_activity_type t on t.code = l.activity_type
        where l.area_code = $area and l.org_name is not null and ($type = '_all' or l.activity_type = $type)
        group by all order by organisation, activity, l.activity_id limit $limit""",
               {"lang": lang, "area": area_code, "type": activity_type, "limit": limit})


def grants_by_year(con: duckdb.DuckDBPyConnection, *, area_code: str) -> pd.DataFrame:
    return _df(con, """
        select year, grants, organisations, requested, granted from mart_grants_area_year
        where area_code = $area order by year""", {"area": area_code})


# -- activity types ---------------------------------------------------------------------------------------------------

def type_matrix(con: duckdb.DuckDBPyConnection, *, metric: str, target_group: str = ALL,
                lang: str = "fi") -> pd.DataFrame:
    """Long form area x activity type for the heatmap: code, name, type, type_label, value, small_number."""
    check_metric(metric, MATRIX_METRICS)
    return _df(con, f"""
        select m.area_code as code, {_NAME.format(p='a.')} as name, m.activity_type as type,
               {_LABEL.format(p='t.')} as type_label, {_AREA_METRIC_CASE} as value,
               {_FLAG_CASE.format(p='m.')} as small_number, t.sort_order
        from mart_area_metrics m join area a on a.code = m.area_code
        join dim_activity_type t on t.code = m.activity_type
        where m.target_group = $group
        order by name, t.sort_order""", {"lang": lang, "metric": metric, "group": target_group})


def target_group_breakdown(con: duckdb.DuckDBPyConnection, *, activity_type: str = ALL,
                           area_code: str | None = None, lang: str = "fi") -> pd.DataFrame:
    """Per target group: activities and the rate per 1,000 in its age band, for one area or the country;
    `small_number` is the band rate's flag (under 5 activities or under 2,000 residents in the band)."""
    return _df(con, f"""
        with src as (
            select target_group, activities, rate_per_10k, rate_per_1k_band, band_population,
                   small_number_band as small_number
            from mart_area_metrics where $area is not null and area_code = $area and activity_type = $type
            union all
            select target_group, activities, rate_per_10k, rate_per_1k_band, band_population,
                   small_number_band as small_number
            from mart_country_metrics where $area is null and activity_type = $type)
        select g.code, {_LABEL.format(p='g.')} as label, s.activities, s.rate_per_10k, s.rate_per_1k_band,
               s.band_population, s.small_number
        from dim_target_group g join src s on s.target_group = g.code
        order by s.activities desc, g.sort_order""", {"area": area_code, "type": activity_type, "lang": lang})
