"""Staging tables -> core tables: organisations (deduplicated), activities (classified), grants, dimensions.

`build_core(con, reference_dir, is_demo=...)` reads every `stg_<src>__organisation` and `stg_<src>__activity` table
it finds (a new source needs no change here), `stg_stea__grant` and the core `municipality` table (plus `area` when
present) and writes: dim_activity_type, dim_target_group, organisation, organisation_source, activity,
activity_municipality, activity_target_group, grant. Columns as in docs/data-model.md.

Organisations
- Records: every staging organisation row, plus one record per organisation referenced by activities that has no
  staging organisation row of its own source (`org_source_id` not found) - "activity-only" organisations, whose
  home municipality is the first municipality of their first activity (by source_id).
- Grouping key: a valid business id. A record without one joins the id-bearing organisation with exactly the same
  normalised name (etl.text.normalise_name) when only one such organisation exists (or, when several do, only one
  of them in the same home municipality); otherwise it groups by normalised name + home municipality.
- Attributes (name, company form, home municipality, main business line, website) come from the best source that
  has a value: ytj > ptv > stea > lahella > template > other sources > activity-only records.
  `business_id_valid` is true with a valid id, false when only an invalid id was given, NULL when none was.
- org_id = 'O' + 6 digits in the order (business_id nulls last, name_normalised, key): reruns give the same ids.

Activities
- Exact duplicates (same org_id, same normalised name, same municipality set, same is_national) are merged into the
  richest row (longest description, most codes, best source); the group's class/target codes and languages are
  unioned. The number of rows merged away is returned as `activity_duplicates_merged`, so
  stg activity rows == activity rows + activity_duplicates_merged.
- activity_id = 'A' + 7 digits in (source, source_id) order.
- Classification (etl.classify): keyword patterns are evaluated in SQL (RE2) into bit masks, and the decision is
  made once per distinct (codes, mask) combination in Python.

Grants
- org_id by valid business id, else by normalised organisation name when it names exactly one organisation.
- area from `area_text` (STEA `alue`): national ('Valtakunnallinen', ...) -> NULL/NULL; a wellbeing services county
  (fi/sv), a maakunta that lies in one county only, or a municipality (fi/sv) -> its area, 'alue'; otherwise the
  organisation's home area, 'home'; otherwise NULL.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import pandas as pd

from etl import classify, paths
from etl.bizid import normalise_business_id
from etl.context import write_table
from etl.municipality import normalise_place
from etl.text import normalise_name

SOURCE_PRIORITY = ("ytj", "ptv", "stea", "lahella", "template")
NATIONAL_AREA_TEXTS = {"valtakunnallinen", "koko maa", "koko suomi", "suomi", "riksomfattande", "hela landet",
                       "finland", "national", "nationwide"}
_SEP = "\x1f"

ORG_COLUMNS = ["source", "source_id", "business_id", "business_id_raw", "business_id_valid", "name", "company_form",
               "home_municipality_code", "main_business_line", "website", "updated_at"]
ORG_TYPES = ["varchar", "varchar", "varchar", "varchar", "boolean", "varchar", "varchar", "varchar", "varchar",
             "varchar", "timestamp"]
ACT_COLUMNS = ["source", "source_id", "file", "record_ref", "org_source_id", "org_business_id", "org_name", "name_fi",
               "name_sv", "name_en", "description", "class_codes", "target_codes", "mode", "is_national",
               "municipality_codes", "languages", "url", "updated_at", "lat", "lon"]
ACT_TYPES = ["varchar", "varchar", "varchar", "varchar", "varchar", "varchar", "varchar", "varchar", "varchar",
             "varchar", "varchar", "varchar[]", "varchar[]", "varchar", "boolean", "varchar[]", "varchar[]", "varchar",
             "timestamp", "double", "double"]


# ---------------------------------------------------------------------------------------------------------------
# helpers

def _tables(con: Any) -> set[str]:
    return {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = current_schema()").fetchall()}


def _columns(con: Any, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = current_schema() "
        "and table_name = ?", [table]).fetchall()}


def staging_tables(con: Any, entity: str) -> list[str]:
    """`stg_<source>__<entity>` tables in the current schema, sorted."""
    pattern = re.compile(rf"stg_[a-z0-9_]+?__{entity}")
    return sorted(t for t in _tables(con) if pattern.fullmatch(t))


def _union_sql(con: Any, tables: list[str], columns: list[str], types: list[str]) -> str:
    """One `union all` over the tables with every column cast; a missing column becomes NULL."""
    empty = "select " + ", ".join(f"cast(null as {t}) as {c}" for c, t in zip(columns, types)) + " where false"
    parts = [empty]
    for table in tables:
        have = _columns(con, table)
        parts.append("select " + ", ".join(
            f"cast({c if c in have else 'null'} as {t}) as {c}" for c, t in zip(columns, types))
            + f' from "{table}"')
    return "\nunion all\n".join(parts)


def _priority_sql(col: str) -> str:
    cases = " ".join(f"when '{s}' then {i}" for i, s in enumerate(SOURCE_PRIORITY))
    return f"(case {col} {cases} else {len(SOURCE_PRIORITY)} end)"


def _register(con: Any, name: str, df: pd.DataFrame, types: dict[str, str]) -> None:
    """Write a work table from a frame with explicit column types (an empty frame has none of its own)."""
    con.register("_h_df_tmp", df)
    try:
        cols = ", ".join(f"cast({c} as {t}) as {c}" for c, t in types.items())
        con.execute(f'create or replace temp table "{name}" as select {cols} from _h_df_tmp')
    finally:
        con.unregister("_h_df_tmp")


# ---------------------------------------------------------------------------------------------------------------
# dimensions

def build_dimensions(con: Any, taxonomy: classify.Taxonomy) -> None:
    at = pd.DataFrame(taxonomy.activity_types,
                      columns=["code", "label_fi", "label_sv", "label_en", "description_en", "sort_order"])
    tg = pd.DataFrame(taxonomy.target_groups,
                      columns=["code", "label_fi", "label_sv", "label_en", "population_denominator", "sort_order"])
    at["sort_order"] = at["sort_order"].astype("int32")
    tg["sort_order"] = tg["sort_order"].astype("int32")
    write_table(con, "dim_activity_type", at)
    write_table(con, "dim_target_group", tg)


# ---------------------------------------------------------------------------------------------------------------
# organisations

def build_organisations(con: Any, *, is_demo: bool) -> None:
    """Writes organisation, organisation_source and the work table _h_org_rec (record -> org_id)."""
    org_union = _union_sql(con, staging_tables(con, "organisation"), ORG_COLUMNS, ORG_TYPES)
    con.execute(f"create or replace temp table _h_org_stg as {org_union}")

    # activity-referenced organisations with no staging organisation row in their own source
    con.execute("""
        create or replace temp table _h_act_ref as
        select a.act_rowid, a.source, a.org_source_id, a.org_business_id, a.org_name, a.source_id,
               a.municipality_codes,
               case when o.source_id is not null then a.org_source_id
                    else coalesce(a.org_source_id, 'bid:' || a.org_business_id, 'name:' || a.org_name) end as ref_id,
               o.source_id is not null as has_org_row
        from _h_act_stg a
        left join (select distinct source, source_id from _h_org_stg) o
          on o.source = a.source and o.source_id = a.org_source_id
    """)
    # business ids of activity-only organisations are validated here (staging ones already are)
    raw_ids = [r[0] for r in con.execute(
        "select distinct org_business_id from _h_act_ref where not has_org_row and org_business_id is not null"
    ).fetchall()]
    _register(con, "_h_bid", pd.DataFrame({"raw": pd.Series(raw_ids, dtype="object"),
                                           "bid": pd.Series([normalise_business_id(v) for v in raw_ids],
                                                            dtype="object")}),
              {"raw": "varchar", "bid": "varchar"})
    con.execute("""
        create or replace temp table _h_org_all as
        select source, source_id, case when business_id_valid is not false then business_id end as business_id,
               nullif(trim(business_id_raw), '') as business_id_raw, name, company_form, home_municipality_code,
               main_business_line, website, updated_at, false as activity_only
        from _h_org_stg
        union all
        select r.source, r.ref_id, first(b.bid order by r.source_id) filter (where b.bid is not null),
               first(r.org_business_id order by r.source_id) filter (where r.org_business_id is not null),
               first(r.org_name order by r.source_id) filter (where r.org_name is not null), null,
               first(r.municipality_codes[1] order by r.source_id) filter (where len(r.municipality_codes) > 0),
               null, null, null, true
        from _h_act_ref r left join _h_bid b on b.raw = r.org_business_id
        where not r.has_org_row and r.ref_id is not null
        group by r.source, r.ref_id
    """)
    names = [r[0] for r in con.execute("select distinct name from _h_org_all where name is not null").fetchall()]
    _register(con, "_h_nn", pd.DataFrame({"name": pd.Series(names, dtype="object"),
                                          "nn": pd.Series([normalise_name(n) for n in names], dtype="object")}),
              {"name": "varchar", "nn": "varchar"})
    prio = _priority_sql("source")
    con.execute(f"""
        create or replace temp table _h_org_rec as
        with rec as (
            select o.*, coalesce(n.nn, '') as nn,
                   {prio} + case when activity_only then 100 else 0 end as prio
            from _h_org_all o left join _h_nn n on n.name = o.name
        ),
        by_name as (
            select nn, count(distinct business_id) as n, min(business_id) as bid
            from rec where business_id is not null and nn <> '' group by nn
        ),
        by_name_home as (
            select nn, home_municipality_code, count(distinct business_id) as n, min(business_id) as bid
            from rec where business_id is not null and nn <> '' and home_municipality_code is not null
            group by nn, home_municipality_code
        )
        select rec.*,
               case when rec.business_id is not null then 'B:' || rec.business_id
                    when bn.n = 1 then 'B:' || bn.bid
                    when bh.n = 1 then 'B:' || bh.bid
                    when rec.nn <> '' then 'N:' || rec.nn || '|' || coalesce(rec.home_municipality_code, '')
                    else 'R:' || rec.source || '|' || rec.source_id end as org_key
        from rec
        left join by_name bn on bn.nn = rec.nn
        left join by_name_home bh on bh.nn = rec.nn and bh.home_municipality_code = rec.home_municipality_code
    """)
    con.execute("""
        create or replace temp table _h_org as
        select org_key,
               case when org_key like 'B:%' then substr(org_key, 3) end as business_id,
               case when org_key like 'B:%' then true when bool_or(business_id_raw is not null) then false end
                   as business_id_valid,
               first(name order by prio, source_id) filter (where name is not null) as name,
               first(company_form order by prio, source_id) filter (where company_form is not null) as company_form,
               first(home_municipality_code order by prio, source_id)
                   filter (where home_municipality_code is not null) as home_municipality_code,
               first(main_business_line order by prio, source_id)
                   filter (where main_business_line is not null) as main_business_line,
               first(website order by prio, source_id) filter (where website is not null) as website,
               list_sort(list_distinct(list(source))) as sources,
               max(updated_at) as updated_at
        from _h_org_rec group by org_key
    """)
    con.execute("""
        create or replace temp table _h_org_id as
        select o.org_key, coalesce(n.nn, '') as name_normalised,
               'O' || lpad(cast(row_number() over (order by o.business_id nulls last, coalesce(n.nn, ''), o.org_key)
                                as varchar), 6, '0') as org_id
        from _h_org o left join _h_nn n on n.name = o.name
    """)
    con.execute("""
        create or replace table organisation as
        select i.org_id, o.business_id, o.business_id_valid, o.name, i.name_normalised, o.company_form,
               o.home_municipality_code, m.area_code as home_area_code, o.main_business_line, o.website,
               o.sources, o.updated_at, ? as is_demo
        from _h_org o join _h_org_id i using (org_key)
        left join municipality m on m.code = o.home_municipality_code
        order by i.org_id
    """, [bool(is_demo)])
    con.execute("""
        create or replace temp table _h_rec_key as
        select source, source_id, min(org_key) as org_key from _h_org_rec group by source, source_id
    """)
    con.execute("""
        create or replace table organisation_source as
        select distinct i.org_id, r.source, r.source_id
        from _h_org_rec r join _h_org_id i using (org_key)
        order by 1, 2, 3
    """)


# ---------------------------------------------------------------------------------------------------------------
# activities

def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _mask_sql(patterns: list[str]) -> str:
    """Bit i set when pattern i occurs in column `t`. The patterns are inlined as literals, not bound as `?`:
    DuckDB compiles a bound pattern once per row (25x slower); they are our constants from etl.classify."""
    return " + ".join(f"(case when regexp_matches(t, {_sql_literal(p)}) then {1 << i} else 0 end)"
                      for i, p in enumerate(patterns)) or "0"


def build_activities(con: Any, taxonomy: classify.Taxonomy) -> int:
    """Writes activity, activity_municipality, activity_target_group; returns duplicates merged."""
    prio = _priority_sql("a.source")
    con.execute(f"""
        create or replace temp table _h_act_grp as
        with linked as (
            select a.*, i.org_id,
                   trim(regexp_replace(regexp_replace(lower(coalesce(a.name_fi, a.name_sv, a.name_en, '')),
                        '[^\\pL\\pN\\s]', ' ', 'g'), '\\s+', ' ', 'g')) as name_key,
                   array_to_string(list_sort(list_distinct(coalesce(a.municipality_codes, []))), ',') as muni_key,
                   {prio} as prio
            from _h_act_stg a
            left join _h_act_ref r on r.act_rowid = a.act_rowid
            left join _h_rec_key o on o.source = r.source and o.source_id = r.ref_id
            left join _h_org_id i on i.org_key = o.org_key
        )
        select *,
               case when org_id is null or name_key = '' then 'U:' || source || '|' || source_id || '|' ||
                         coalesce(record_ref, '')
                    else org_id || '|' || name_key || '|' || muni_key || '|' || coalesce(is_national, false)
               end as dup_key
        from linked
    """)
    for t in ("_h_act_stg", "_h_act_ref"):  # not needed any more: free their memory before the next steps
        con.execute(f"drop table if exists {t}")
    # the group's codes and languages by a grouped aggregate (cheaper than three list windows)
    con.execute("""
        create or replace temp table _h_act as
        with lists as (
            select dup_key,
                   list_sort(list_distinct(flatten(list(coalesce(class_codes, []))))) as all_class_codes,
                   list_sort(list_distinct(flatten(list(coalesce(target_codes, []))))) as all_target_codes,
                   list_sort(list_distinct(flatten(list(coalesce(languages, []))))) as all_languages
            from _h_act_grp group by dup_key
        )
        select g.* exclude (act_rowid),
               row_number() over (partition by g.dup_key order by (g.description is not null) desc,
                   length(coalesce(g.description, '')) desc,
                   len(coalesce(g.class_codes, [])) + len(coalesce(g.target_codes, [])) desc,
                   (g.name_sv is not null) desc, g.prio, g.source, g.source_id, g.record_ref) as dup_rank,
               l.all_class_codes, l.all_target_codes, l.all_languages
        from _h_act_grp g join lists l on l.dup_key is not distinct from g.dup_key
    """)
    con.execute("drop table if exists _h_act_grp")
    merged = con.execute("select count(*) from _h_act where dup_rank > 1").fetchone()[0]

    act_rules = [r.pattern for r in taxonomy.activity_keywords]
    tg_rules = [r.pattern for r in taxonomy.target_keywords]
    # the keyword patterns run once per distinct text, not once per activity (listings repeat their texts)
    con.execute(f"""
        create or replace temp table _h_act_text as
        select *, regexp_replace(lower(concat_ws(' ', name_fi, name_sv,
                                                 left(description, {classify.MAX_DESCRIPTION_CHARS}))),
                                 {_sql_literal(taxonomy.guard_pattern)}, ' ', 'g') as t
        from _h_act where dup_rank = 1
    """)
    con.execute("drop table if exists _h_act")
    con.execute(f"""
        create or replace temp table _h_act_mask as
        select t, {_mask_sql(act_rules)} as act_mask, {_mask_sql(tg_rules)} as tg_mask
        from (select distinct t from _h_act_text)
    """)
    con.execute(f"""
        create or replace temp table _h_act_keep as
        select k.* exclude (t),
               'A' || lpad(cast(row_number() over (order by k.source, k.source_id, k.record_ref) as varchar), 7, '0')
                   as activity_id,
               array_to_string(k.all_class_codes, '{_SEP}') as class_key,
               array_to_string(k.all_target_codes, '{_SEP}') as target_key,
               m.act_mask, m.tg_mask
        from _h_act_text k join _h_act_mask m on m.t = k.t
    """)
    con.execute("drop table if exists _h_act_text")
    con.execute("drop table if exists _h_act_mask")

    # decide once per distinct (codes, keyword mask)
    act_codes = [r.code for r in taxonomy.activity_keywords]
    tg_codes = [r.code for r in taxonomy.target_keywords]
    rows = []
    for class_key, mask in con.execute("select distinct class_key, act_mask from _h_act_keep").fetchall():
        hits = [c for i, c in enumerate(act_codes) if mask >> i & 1]
        rows.append((class_key, mask, *classify.decide_activity(class_key.split(_SEP) if class_key else [], hits,
                                                                taxonomy)))
    _register(con, "_h_act_decision", pd.DataFrame(
        rows, columns=["class_key", "act_mask", "activity_type", "type_method", "type_confidence"]),
        {"class_key": "varchar", "act_mask": "bigint", "activity_type": "varchar", "type_method": "varchar",
         "type_confidence": "varchar"})
    rows = []
    for target_key, mask in con.execute("select distinct target_key, tg_mask from _h_act_keep").fetchall():
        hits = [c for i, c in enumerate(tg_codes) if mask >> i & 1]
        for g, method, conf in classify.decide_target_groups(target_key.split(_SEP) if target_key else [], hits,
                                                             taxonomy):
            rows.append((target_key, mask, g, method, conf))
    _register(con, "_h_tg_decision", pd.DataFrame(
        rows, columns=["target_key", "tg_mask", "target_group", "method", "confidence"]),
        {"target_key": "varchar", "tg_mask": "bigint", "target_group": "varchar", "method": "varchar",
         "confidence": "varchar"})

    con.execute("""
        create or replace table activity as
        select k.activity_id, k.org_id, k.source, k.source_id, k.name_fi, k.name_sv, k.name_en, k.description,
               d.activity_type, d.type_method, d.type_confidence, k.mode,
               coalesce(k.mode in ('in_person', 'hybrid'), false) as is_in_person,
               coalesce(k.is_national, false) as is_national, k.all_languages as languages,
               list_contains(k.all_languages, 'sv') as offered_in_swedish, k.url, k.updated_at, k.lat, k.lon
        from _h_act_keep k
        join _h_act_decision d on d.class_key = k.class_key and d.act_mask = k.act_mask
        order by k.activity_id
    """)
    con.execute("""
        create or replace table activity_municipality as
        select distinct u.activity_id, m.code as municipality_code, m.area_code
        from (select activity_id, unnest(municipality_codes) as code
              from _h_act_keep where not coalesce(is_national, false)) u
        join municipality m on m.code = u.code
        where m.area_code <> '91'
        order by 1, 2
    """)
    con.execute("""
        create or replace table activity_target_group as
        select k.activity_id, d.target_group, d.method, d.confidence
        from _h_act_keep k
        join _h_tg_decision d on d.target_key = k.target_key and d.tg_mask = k.tg_mask
        join dim_target_group g on g.code = d.target_group
        order by k.activity_id, g.sort_order
    """)
    return int(merged)


# ---------------------------------------------------------------------------------------------------------------
# grants

def _area_names(con: Any, reference_dir: Path) -> dict[str, str]:
    """normalised place name -> area code (wellbeing services counties fi/sv, single-county maakunnat)."""
    names: dict[str, str] = {}
    maakunta: dict[str, set[str]] = {}
    rows: list[dict] = []
    tables = _tables(con)
    if "area" in tables:
        rows += [{"code": c, "fi": fi, "sv": sv} for c, fi, sv in
                 con.execute("select code, name_fi, name_sv from area").fetchall()]
    candidates = [paths.offline_dir() / "statfi" / "municipality_key_2025.csv",
                  Path(reference_dir) / "raw" / "statfi" / "municipality_key_2025.csv"]
    key_file = next((p for p in candidates if p.is_file()), None)
    if key_file is not None:
        with open(key_file, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                code = r["hyvinvointialue_code"]
                rows.append({"code": code, "fi": r["hyvinvointialue_name_fi"], "sv": r["hyvinvointialue_name_sv"]})
                for key in ("maakunta_name_fi", "maakunta_name_sv"):
                    if r.get(key):
                        maakunta.setdefault(normalise_place(r[key]), set()).add(code)
    for r in rows:
        for key in ("fi", "sv"):
            if r[key]:
                names.setdefault(normalise_place(r[key]), r["code"])
    for name, codes in maakunta.items():
        if len(codes) == 1:
            names.setdefault(name, next(iter(codes)))
    return names


def build_grants(con: Any, reference_dir: Path) -> None:
    if "stg_stea__grant" not in _tables(con):
        con.execute("""create or replace temp table _h_grant_stg as select
            cast(null as varchar) as file, cast(null as varchar) as record_ref,
            cast(null as varchar) as organisation_name, cast(null as varchar) as business_id,
            cast(null as varchar) as business_id_raw, cast(null as boolean) as business_id_valid,
            cast(null as integer) as year, cast(null as varchar) as purpose, cast(null as varchar) as grant_type,
            cast(null as varchar) as area_text, cast(null as double) as requested, cast(null as double) as proposed,
            cast(null as double) as granted where false""")
    else:
        con.execute("create or replace temp table _h_grant_stg as select * from stg_stea__grant")

    area_of_name = _area_names(con, reference_dir)
    muni = {}
    for code, fi, sv, area in con.execute("select code, name_fi, name_sv, area_code from municipality").fetchall():
        for n in (fi, sv):
            if n:
                muni.setdefault(normalise_place(n), area)
    texts = [r[0] for r in con.execute(
        "select distinct area_text from _h_grant_stg where area_text is not null").fetchall()]
    rows = []
    for text in texts:
        key = normalise_place(text)
        if key in NATIONAL_AREA_TEXTS:
            rows.append((text, None, True))
        elif key in area_of_name:
            rows.append((text, area_of_name[key], False))
        elif key in muni:
            rows.append((text, muni[key], False))
    _register(con, "_h_area_text", pd.DataFrame(rows, columns=["area_text", "area_code", "is_national"]),
              {"area_text": "varchar", "area_code": "varchar", "is_national": "boolean"})

    names = [r[0] for r in con.execute(
        "select distinct organisation_name from _h_grant_stg where organisation_name is not null "
        "and organisation_name not in (select name from _h_nn)").fetchall()]
    _register(con, "_h_nn_more", pd.DataFrame({"name": pd.Series(names, dtype="object"),
                                               "nn": pd.Series([normalise_name(n) for n in names], dtype="object")}),
              {"name": "varchar", "nn": "varchar"})
    con.execute("insert into _h_nn select name, nn from _h_nn_more")
    con.execute("""
        create or replace table "grant" as
        with org_by_name as (
            select r.nn, min(i.org_id) as org_id, min(o.business_id) as business_id
            from _h_org_rec r join _h_org_id i using (org_key) join _h_org o using (org_key)
            where r.nn <> ''
            group by r.nn having count(distinct i.org_id) = 1
        ),
        g as (
            -- by business id; by name unless the grant's valid id differs from the named organisation's id
            select s.*, coalesce(ob.org_id, case when s.business_id is null or s.business_id_valid is false
                                                      or onm.business_id is null then onm.org_id end) as org_id
            from _h_grant_stg s
            -- the key is NULL for an invalid id (no match): one equality, so a hash join, not a nested loop
            left join organisation ob
              on ob.business_id = case when s.business_id_valid is not false then s.business_id end
             and ob.business_id_valid
            left join _h_nn n on n.name = s.organisation_name
            left join org_by_name onm on onm.nn = n.nn
        )
        select 'G' || lpad(cast(row_number() over (order by g.year, g.business_id, g.organisation_name, g.purpose,
                                g.grant_type, g.file, g.record_ref) as varchar), 7, '0') as grant_id,
               g.org_id, g.business_id, g.organisation_name, g.year, g.purpose, g.grant_type, g.area_text,
               case when a.is_national then null when a.area_code is not null then a.area_code
                    else o.home_area_code end as area_code,
               case when a.is_national then null when a.area_code is not null then 'alue'
                    when o.home_area_code is not null then 'home' end as area_method,
               g.requested, g.proposed, g.granted
        from g
        left join _h_area_text a on a.area_text = g.area_text
        left join organisation o on o.org_id = g.org_id
        order by grant_id
    """)


# ---------------------------------------------------------------------------------------------------------------

CORE_TABLES = ("dim_activity_type", "dim_target_group", "organisation", "organisation_source", "activity",
               "activity_municipality", "activity_target_group", "grant")


def build_core(con: Any, reference_dir: Path, *, is_demo: bool) -> dict[str, int]:
    """Build the core tables from the staging tables; returns row counts per table and
    `activity_duplicates_merged` (stg activity rows = activity + activity_duplicates_merged)."""
    taxonomy = classify.load_taxonomy(reference_dir)
    build_dimensions(con, taxonomy)
    act_union = _union_sql(con, staging_tables(con, "activity"), ACT_COLUMNS, ACT_TYPES)
    con.execute(f"create or replace temp table _h_act_stg as "
                f"select *, row_number() over () as act_rowid from ({act_union})")
    build_organisations(con, is_demo=is_demo)
    merged = build_activities(con, taxonomy)
    build_grants(con, reference_dir)
    counts = {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in CORE_TABLES}
    counts["activity_duplicates_merged"] = merged
    for t in ("_h_org_stg", "_h_act_ref", "_h_bid", "_h_org_all", "_h_nn", "_h_org_rec", "_h_org", "_h_org_id",
              "_h_act", "_h_act_keep", "_h_act_decision", "_h_tg_decision", "_h_grant_stg", "_h_area_text",
              "_h_act_stg", "_h_rec_key", "_h_nn_more", "_h_act_text", "_h_act_mask",
              "_h_act_grp"):
        con.execute(f'drop table if exists "{t}"')
    return counts
