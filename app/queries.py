"""Every query the dashboard runs: fn(con, *, plain params) -> DataFrame.

SQL in lower case, values always bound as named parameters (`$lang`, `$area`, … from a dict; never formatted into
the text), one cursor per query so a
shared read-only connection can serve several sessions. Names come back already in the chosen language
(`name`, `label` columns), so pages never pick columns themselves. No streamlit import.
"""
from __future__ import annotations

import json
from typing import Any

import duckdb
import pandas as pd

# The metrics a user can choose, in display order, with how their values are shown.
METRICS: dict[str, dict[str, Any]] = {
    "activities": {"kind": "count", "decimals": 0},
    "orgs_active": {"kind": "count", "decimals": 0},
    "orgs_registered": {"kind": "count", "decimals": 0},
    "rate_per_10k": {"kind": "rate", "decimals": 2},
    "orgs_active_per_10k": {"kind": "rate", "decimals": 2},
    "orgs_registered_per_10k": {"kind": "rate", "decimals": 2},
    "rate_per_1k_band": {"kind": "rate", "decimals": 3},
    "lq": {"kind": "ratio", "decimals": 2},
    "coverage_muni_share": {"kind": "share", "decimals": 0},
    "coverage_pop_share": {"kind": "share", "decimals": 0},
}
MATRIX_METRICS = ("rate_per_10k", "lq", "coverage_muni_share", "coverage_pop_share", "activities")
MUNICIPALITY_METRICS = ("activities", "in_person_activities", "orgs_active", "orgs_registered", "rate_per_10k",
                        "rate_per_1k_band", "lq")
ALL = "_all"
# Each figure carries the small-number flag of its own numerator and denominator (docs/methods.md); the metrics not
# listed rest on the activity count and the whole population (`small_number`).
METRIC_FLAGS: dict[str, str] = {
    "orgs_active": "small_number_orgs_active", "orgs_active_per_10k": "small_number_orgs_active",
    "orgs_registered": "small_number_orgs_registered", "orgs_registered_per_10k": "small_number_orgs_registered",
    "rate_per_1k_band": "small_number_band",
}

# `case $metric` picks the metric column from a fixed list; the choice is a bound value, never SQL text.
_AREA_METRIC_CASE = "case $metric " + " ".join(f"when '{m}' then {m}::double" for m in METRICS) + " end"
_MUNI_METRIC_CASE = "case $metric " + " ".join(f"when '{m}' then {m}::double" for m in MUNICIPALITY_METRICS) + " end"
_FLAG_CASE = ("case $metric " + " ".join(f"when '{m}' then {{p}}{f}" for m, f in METRIC_FLAGS.items())
              + " else {p}small_number end")
_NAME = "case $lang when 'sv' then coalesce({p}name_sv, {p}name_fi) when 'en' then coalesce({p}name_en, {p}name_fi) else {p}name_fi end"
_LABEL = "case $lang when 'sv' then coalesce({p}label_sv, {p}label_fi) when 'en' then coalesce({p}label_en, {p}label_fi) else {p}label_fi end"


def _cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor that reads the warehouse. app.db.connect attaches the file as catalog `warehouse` into an in-memory
    database and `use`s it, but a cursor starts in the default catalog (`memory`): switch it over. A plain
    connection to the file (tests, tools) has no such catalog and needs nothing."""
    cur = con.cursor()
    names = cur.execute("select database_name from duckdb_databases() where database_name = 'warehouse'").fetchall()
    if names:
        cur.execute("use warehouse")
    return cur


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run one statement with named parameters (`$name` in the SQL, a key of `params`: DuckDB wants exactly the
    names the statement uses)."""
    cur = _cursor(con)
    try:
        return (cur.execute(sql, params) if params else cur.execute(sql)).df()
    finally:
        cur.close()


def check_metric(metric: str, allowed=METRICS) -> str:
    if metric not in allowed:
        raise ValueError(f"unknown metric {metric!r}")
    return metric


# -- metadata --------------------------------------------------------------------------------------------------

def build_info(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(con, "select build_id, built_at, git_commit, is_demo, demo_seed, demo_scale, counts, warnings, "
                    "checks, duration_s from _meta_build limit 1")


def sources(con: duckdb.DuckDBPyConnection, *, lang: str = "fi") -> pd.DataFrame:
    return _df(con, """
        select source_id, title, publisher, url, licence,
               case $lang when 'sv' then attribution_sv when 'en' then attribution_en else attribution_fi end
                   as attribution,
               retrieved_at, rows, bytes, file, sha256
        from _meta_sources order by source_id, file""", {"lang": lang})


def row_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The build's own row counts (_meta_build.counts, a JSON object table -> rows)."""
    info = build_info(con)
    raw = info["counts"].iloc[0] if len(info) else None
    counts = raw if isinstance(raw, dict) else json.loads(raw or "{}")
    flat = []
    for k, v in counts.items():
        if isinstance(v, dict):          # nested {"stage": {"table": n}}
            flat.extend((f"{k}.{kk}", vv) for kk, vv in v.items())
        else:
            flat.append((k, v))
    return pd.DataFrame(flat, columns=["table", "rows"]).sort_values("table", ignore_index=True)


def quarantine_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(con, """
        select source, reason_code, count(*) as rows
        from quarantine group by source, reason_code order by source, rows desc, reason_code""")


def quarantine_rows(con: duckdb.DuckDBPyConnection, *, source: str | None = None, reason_code: str | None = None,
                    limit: int = 500, with_raw: bool = False) -> pd.DataFrame:
    """Rows set aside: source, file name (never a server path), place in the file, reason. The raw record only with
    `with_raw` (an operator setting, app.db.show_raw_records)."""
    raw = ", raw" if with_raw else ""
    return _df(con, f"""
        select source, parse_filename(file) as file, record_ref, reason_code, message{raw}
        from quarantine
        where ($source is null or source = $source) and ($reason_code is null or reason_code = $reason_code)
        order by source, file, record_ref limit $limit""", {"source": source, "reason_code": reason_code, "limit": limit})


def has_table(con: duckdb.DuckDBPyConnection, *, name: str) -> bool:
    df = _df(con, "select count(*) as n from information_schema.tables where table_name = $name", {"name": name})
    return bool(df["n"].iloc[0])


# -- dimensions --------------------------------------------------------------------------------------------------

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


# -- overview ----------------------------------------------------------------------------------------------------

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


# -- one area --------------------------------------------------------------------------------------------------

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


# -- gaps --------------------------------------------------------------------------------------------------------

def white_spots(con: duckdb.DuckDBPyConnection, *, activity_type: str, area_code: str | None = None,
                lang: str = "fi") -> pd.DataFrame:
    """Municipalities with no in-person activity of the type, largest population first."""
    return _df(con, f"""
        select w.municipality_code as code, {_NAME.format(p='m.')} as name, w.area_code,
               {_NAME.format(p='a.')} as area_name, w.population, {_NAME.format(p='n.')} as nearest_name,
               w.nearest_municipality_code as nearest_code, w.distance_km
        from mart_white_spot w join municipality m on m.code = w.municipality_code
        join area a on a.code = w.area_code
        left join municipality n on n.code = w.nearest_municipality_code
        where w.activity_type = $type and ($area is null or w.area_code = $area)
        order by w.population desc, name""", {"lang": lang, "type": activity_type, "area": area_code})


def white_spot_summary(con: duckdb.DuckDBPyConnection, *, area_code: str | None = None,
                       lang: str = "fi") -> pd.DataFrame:
    """Per activity type: how many municipalities lack it, and how many people live in them."""
    return _df(con, f"""
        select t.code, {_LABEL.format(p='t.')} as label, count(w.municipality_code) as municipalities,
               coalesce(sum(w.population), 0) as population, avg(w.distance_km) as mean_distance_km
        from dim_activity_type t
        left join mart_white_spot w on w.activity_type = t.code and ($area is null or w.area_code = $area)
        group by t.code, label, t.sort_order order by t.sort_order""", {"lang": lang, "area": area_code})


def white_spot_top(con: duckdb.DuckDBPyConnection, *, area_code: str | None = None, lang: str = "fi",
                   limit: int = 15) -> pd.DataFrame:
    """The largest white spots over every activity type: municipality x type without in-person activity,
    most residents first (for the area brief)."""
    return _df(con, f"""
        select w.municipality_code as code, {_NAME.format(p='m.')} as name, w.activity_type,
               {_LABEL.format(p='t.')} as type_label, w.population, {_NAME.format(p='n.')} as nearest_name,
               w.distance_km
        from mart_white_spot w join municipality m on m.code = w.municipality_code
        join dim_activity_type t on t.code = w.activity_type
        left join municipality n on n.code = w.nearest_municipality_code
        where ($area is null or w.area_code = $area)
        order by w.population desc, name, t.sort_order limit $limit""", {"lang": lang, "area": area_code, "limit": limit})


def municipality_status(con: duckdb.DuckDBPyConnection, *, activity_type: str, area_code: str | None = None,
                        lang: str = "fi") -> pd.DataFrame:
    """Every mainland municipality with has (1) / lacks (0) an in-person activity of the type (for the map)."""
    return _df(con, f"""
        select m.code, {_NAME.format(p='m.')} as name, m.population,
               case when w.municipality_code is null then 1 else 0 end as has_type
        from municipality m
        left join mart_white_spot w on w.municipality_code = m.code and w.activity_type = $type
        where not m.is_aland and ($area is null or m.area_code = $area)
        order by m.code""", {"lang": lang, "type": activity_type, "area": area_code})


def swedish_coverage(con: duckdb.DuckDBPyConnection, *, area_code: str | None = None,
                     lang: str = "fi") -> pd.DataFrame:
    """Bilingual and Swedish-speaking municipalities: Swedish speakers (with the indicator's year), activities
    offered in Swedish and their rate per 10,000 Swedish speakers; most Swedish speakers first."""
    return _df(con, f"""
        select s.municipality_code as code, {_NAME.format(p='m.')} as name, s.area_code,
               {_NAME.format(p='a.')} as area_name, s.language_status_code, s.swedish_speakers,
               cast(s.swedish_year as varchar) as swedish_year,  -- a year is a label (no thousands separator)
               s.activities_sv, s.activities_sv_per_10k_swedish, s.small_number
        from mart_swedish_coverage s join municipality m on m.code = s.municipality_code
        join area a on a.code = s.area_code
        where ($area is null or s.area_code = $area)
        order by s.swedish_speakers desc nulls last, name""", {"lang": lang, "area": area_code})


def need_supply(con: duckdb.DuckDBPyConnection, *, lang: str = "fi") -> pd.DataFrame:
    """High need / low supply first, then by gap score."""
    return _df(con, f"""
        select n.area_code as code, {_NAME.format(p='a.')} as name,
               -- a chart label: the name without the kind of area ("... hyvinvointialue")
               trim(regexp_replace({_NAME.format(p='a.')},
                                   ' *(hyvinvointialue|välfärdsområde|wellbeing services county)$', ''))
                   as short_name,
               n.need_coefficient, n.need_year,
               n.deprivation_index, n.deprivation_period, n.unemployment, n.unemployment_period,
               n.supply_rate_per_10k, n.need_rank, n.supply_rank, n.gap_score, n.quadrant,
               n.need_coefficient_threshold, n.deprivation_index_threshold, n.unemployment_threshold,
               n.supply_threshold, n.quadrant_deprivation_index, n.quadrant_unemployment
        from mart_need_supply n join area a on a.code = n.area_code
        order by case n.quadrant when 'high_need_low_supply' then 0 when 'high_need_high_supply' then 1
                                 when 'low_need_low_supply' then 2 else 3 end,
                 n.gap_score desc nulls last, name""", {"lang": lang})


def data_gaps(con: duckdb.DuckDBPyConnection, *, area_code: str | None = None, lang: str = "fi") -> pd.DataFrame:
    return _df(con, f"""
        select g.org_id, g.name, g.business_id, g.area_code, {_NAME.format(p='a.')} as area_name, g.known_from,
               g.granted_total
        from mart_data_gap g left join area a on a.code = g.area_code
        where ($area is null or g.area_code = $area)
        order by g.granted_total desc nulls last, g.name""", {"lang": lang, "area": area_code})


# -- organisations ----------------------------------------------------------------------------------------------

# The one definition of an organisation's completeness: each check (key, SQL over mart_org_visibility `v`) is a
# line of the checklist on the organisations page, and `completeness` in the list is the share of checks done.
# A missing flag counts as not done.
ORG_CHECKS: tuple[tuple[str, str], ...] = (
    ("business_id", "v.business_id_valid"),
    ("types", "v.types_classified >= 1"),
    ("location", "v.location_known"),
    ("languages", "v.languages_known"),
    ("groups", "v.target_groups_known"),
    ("updated", "v.updated_within_12m"),
)
_ORG_CHECK_COLUMNS = ", ".join(f"coalesce({sql}, false) as check_{key}" for key, sql in ORG_CHECKS)
_ORG_COMPLETENESS = ("(" + " + ".join(f"(case when coalesce({sql}, false) then 1 else 0 end)" for _, sql in ORG_CHECKS)
                     + f") / {float(len(ORG_CHECKS))}")


def organisation_checklist(detail: pd.Series) -> tuple[list[tuple[str, bool]], list[str]]:
    """One row of `organisation_detail` -> the checklist [(check key, done)] in ORG_CHECKS order, and the advice keys
    (what to fix: `no_activities` first when the organisation lists none, then every check not done)."""
    checks = [(key, bool(detail[f"check_{key}"])) for key, _ in ORG_CHECKS]
    todo = [key for key, ok in checks if not ok]
    if not detail["activities"]:
        todo.insert(0, "no_activities")
    return checks, todo


def organisation_source_options(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The sources organisations in this build come from (for the list filter), most organisations first."""
    return _df(con, """
        select source, count(*) as organisations from (select unnest(sources) as source from mart_org_visibility)
        group by source order by organisations desc, source""")

def organisation_index(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _df(con, "select org_id, name, business_id from mart_org_visibility order by name")


def organisation_list(con: duckdb.DuckDBPyConnection, *, area_code: str | None = None,
                      source: str | None = None, lang: str = "fi", limit: int = 5000) -> pd.DataFrame:
    return _df(con, f"""
        select v.org_id, v.name, v.business_id, {_NAME.format(p='a.')} as home_area, v.activities,
               v.municipalities, v.areas, array_to_string(v.sources, ', ') as sources,
               {_ORG_COMPLETENESS} as completeness
        from mart_org_visibility v left join area a on a.code = v.home_area_code
        where ($area is null or v.home_area_code = $area
               or exists (select 1 from mart_activity_list l where l.org_id = v.org_id and l.area_code = $area))
          and ($source is null or list_contains(v.sources, $source))
        order by v.name limit $limit""", {"lang": lang, "area": area_code, "source": source, "limit": limit})


def organisation_detail(con: duckdb.DuckDBPyConnection, *, org_id: str, lang: str = "fi") -> pd.DataFrame:
    return _df(con, f"""
        select v.*, {_NAME.format(p='a.')} as home_area, o.website, o.company_form, o.updated_at,
               {_ORG_CHECK_COLUMNS}, {_ORG_COMPLETENESS} as completeness
        from mart_org_visibility v left join area a on a.code = v.home_area_code
        left join organisation o on o.org_id = v.org_id
        where v.org_id = $org""", {"lang": lang, "org": org_id})


def organisation_sources(con: duckdb.DuckDBPyConnection, *, org_id: str) -> pd.DataFrame:
    return _df(con, """
        select source, count(*) as records from mart_org_source where org_id = $org
        group by source order by source""", {"org": org_id})


def organisation_activities(con: duckdb.DuckDBPyConnection, *, org_id: str, lang: str = "fi") -> pd.DataFrame:
    return _df(con, f"""
        select l.activity_id,
               case $lang when 'sv' then coalesce(l.name_sv, l.name_fi) when 'en' then coalesce(l.name_en, l.name_fi)
                      else coalesce(l.name_fi, l.name_sv, l.name_en) end as activity,
               {_LABEL.format(p='t.')} as activity_type, l.mode, l.is_national,
               coalesce(array_to_string(list(distinct {_NAME.format(p='m.')} order by {_NAME.format(p='m.')}), ', '), '')
                   as municipalities,
               array_to_string(l.languages, ', ') as languages, l.updated_at, l.source
        from mart_activity_list l join dim_activity_type t on t.code = l.activity_type
        left join municipality m on m.code = l.municipality_code
        where l.org_id = $org
        group by all order by activity_type, activity, l.activity_id""", {"lang": lang, "org": org_id})


def organisation_types(con: duckdb.DuckDBPyConnection, *, org_id: str, lang: str = "fi") -> pd.DataFrame:
    return _df(con, f"""
        select t.code, {_LABEL.format(p='t.')} as label, count(distinct l.activity_id) as activities
        from mart_activity_list l join dim_activity_type t on t.code = l.activity_type
        where l.org_id = $org group by t.code, label, t.sort_order order by activities desc, t.sort_order""",
               {"lang": lang, "org": org_id})


def organisation_municipalities(con: duckdb.DuckDBPyConnection, *, org_id: str, lang: str = "fi") -> pd.DataFrame:
    return _df(con, f"""
        select l.municipality_code as code, {_NAME.format(p='m.')} as name, l.area_code,
               count(distinct l.activity_id) as activities
        from mart_activity_list l join municipality m on m.code = l.municipality_code
        where l.org_id = $org group by all order by activities desc, name""", {"lang": lang, "org": org_id})


def rank_organisations(index: pd.DataFrame, query: str, *, limit: int = 20, score_cutoff: float = 60) -> pd.DataFrame:
    """Typo-tolerant search over `organisation_index`: a business id (with or without the dash) matches exactly,
    otherwise names are ranked with rapidfuzz (WRatio on lower-cased names)."""
    from rapidfuzz import fuzz, process, utils

    q = (query or "").strip()
    if not q or index.empty:
        return _with_display(index.head(0).assign(score=pd.Series(dtype=float)))
    digits = q.replace("-", "").replace(" ", "")
    if digits.isdigit() and len(digits) >= 7:
        bid = index["business_id"].fillna("").str.replace("-", "", regex=False)
        hit = index[bid.str.startswith(digits)]
        return _with_display(hit.assign(score=100.0).head(limit).reset_index(drop=True))
    names = index["name"].fillna("").tolist()
    matches = process.extract(q, names, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit,
                              score_cutoff=score_cutoff)
    rows = [i for _, _, i in matches]
    out = index.iloc[rows].copy()
    out["score"] = [s for _, s, _ in matches]
    return _with_display(out.reset_index(drop=True))


def _with_display(df: pd.DataFrame) -> pd.DataFrame:
    """`display`: the name with the business id in brackets, for pickers."""
    bid = df["business_id"].fillna("")
    return df.assign(display=df["name"].fillna("") + bid.map(lambda b: f" ({b})" if b else ""))


# -- activity types ------------------------------------------------------------------------------------------------

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


def organisation_map(con: duckdb.DuckDBPyConnection, *, org_id: str, lang: str = "fi") -> pd.DataFrame:
    """Every municipality of the areas where the organisation is visible, with its activity count there (0 = none),
    so its map shows where it is and is not present in those areas."""
    return _df(con, f"""
        with mine as (
            select municipality_code, count(distinct activity_id) as activities
            from mart_activity_list
            where org_id = $org and municipality_code is not null group by 1),
        areas as (select distinct m.area_code from mine join municipality m on m.code = mine.municipality_code)
        select m.code, {_NAME.format(p='m.')} as name, m.area_code, coalesce(mine.activities, 0) as value,
               false as small_number
        from municipality m join areas using (area_code)
        left join mine on mine.municipality_code = m.code
        where not m.is_aland order by m.code""", {"org": org_id, "lang": lang})
