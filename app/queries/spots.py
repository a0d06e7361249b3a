"""Where supply is missing: white spots (municipality x type without in-person activity), need vs supply,
Swedish-language coverage, organisations missing from the activity sources (data gaps)."""
from __future__ import annotations

import duckdb
import pandas as pd

from app.queries.base import _LABEL, _NAME, _df


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
