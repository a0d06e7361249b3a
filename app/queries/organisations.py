"""Organisations: the completeness checklist, the list, one organisation's detail, sources, activities, types,
municipalities and map, and the typo-tolerant search."""
from __future__ import annotations

import duckdb
import pandas as pd

from app.queries.base import _LABEL, _NAME, _df


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


ORGANISATION_LIST_LIMIT = 5000   # rows of the organisations page's list (the first by name; the caption says so)
_ORG_FILTER = """
            where ($area is null or v.home_area_code = $area
                   or v.org_id in (select l.org_id from mart_activity_list l where l.area_code = $area))
              and ($source is null or list_contains(v.sources, $source))"""


def organisation_count(con: duckdb.DuckDBPyConnection, *, area_code: str | None = None,
                       source: str | None = None) -> int:
    """How many organisations :func:`organisation_list` would list without its limit."""
    return int(con.execute(f"select count(*) from mart_org_visibility v {_ORG_FILTER}",
                           {"area": area_code, "source": source}).fetchone()[0])


def organisation_list(con: duckdb.DuckDBPyConnection, *, area_code: str | None = None,
                      source: str | None = None, lang: str = "fi",
                      limit: int = ORGANISATION_LIST_LIMIT) -> pd.DataFrame:
    # the first `limit` organisations by name are chosen first, and only they get their texts and completeness
    # (computed for every organisation before the cut, they cost most of the query)
    return _df(con, f"""
        with hit as (
            select v.* from mart_org_visibility v {_ORG_FILTER}
            order by v.name, v.org_id limit $limit)
        select v.org_id, v.name, v.business_id, {_NAME.format(p='a.')} as home_area, v.activities,
               v.municipalities, v.areas, array_to_string(v.sources, ', ') as sources,
               {_ORG_COMPLETENESS} as completeness
        from hit v left join area a on a.code = v.home_area_code
        order by v.name, v.org_id""", {"lang": lang, "area": area_code, "source": source, "limit": limit})


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
