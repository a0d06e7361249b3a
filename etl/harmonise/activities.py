"""Activities: deduplication, classification and the municipality and target-group bridges -> activity,
activity_municipality, activity_target_group.

- Exact duplicates (same org_id, same normalised name, same municipality set, same is_national) are merged into the
  richest row (longest description, most codes, best source); the group's class/target codes and languages are
  unioned. The number of rows merged away is returned as `activity_duplicates_merged`, so
  stg activity rows == activity rows + activity_duplicates_merged.
- activity_id = 'A' + 7 digits in (source, source_id) order.
- Classification (etl.classify): keyword patterns are evaluated in SQL (RE2) into bit masks, and the decision is
  made once per distinct (codes, mask) combination in Python.

The set-based steps are etl/sql/core_{act_org,act_grp,act_rank,act_list,act,act_text,act_mask,act_num,act_keep,
activity,activity_municipality,activity_target_group}.sql. They are written to spill under the build's memory_limit:
a wide table is joined once, onto narrow work tables (rank, lists, numbers) built before it.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from etl import classify
from etl.harmonise.common import priority_sql, register, sql_literal, stage, staging_tables
from etl.sqlrun import run_sql

ACT_COLUMNS = ["source", "source_id", "file", "record_ref", "org_source_id", "org_business_id", "org_name", "name_fi",
               "name_sv", "name_en", "description", "class_codes", "target_codes", "mode", "is_national",
               "municipality_codes", "languages", "url", "updated_at", "lat", "lon"]
ACT_TYPES = ["varchar", "varchar", "varchar", "varchar", "varchar", "varchar", "varchar", "varchar", "varchar",
             "varchar", "varchar", "varchar[]", "varchar[]", "varchar", "boolean", "varchar[]", "varchar[]", "varchar",
             "timestamp", "double", "double"]
_SEP = "\x1f"  # joins a code list into one key (the classification decides per distinct key)


def stage_activities(con: Any) -> None:
    """Work table _core_act_stg: every staging activity row, numbered (act_rowid)."""
    stage(con, "_core_act_stg", staging_tables(con, "activity"), ACT_COLUMNS, ACT_TYPES, row_id="act_rowid")


def _mask_sql(patterns: list[str]) -> str:
    """Bit i set when pattern i occurs in column `t`. The patterns are inlined as literals, not bound as `?`:
    DuckDB compiles a bound pattern once per row (25x slower); they are our constants from etl.classify."""
    return " + ".join(f"(case when regexp_matches(t, {sql_literal(p)}) then {1 << i} else 0 end)"
                      for i, p in enumerate(patterns)) or "0"


def _drop(con: Any, *names: str) -> None:
    """Free the memory of work tables no longer needed before the next steps."""
    for name in names:
        con.execute(f"drop table if exists {name}")


def _decide(con: Any, taxonomy: classify.Taxonomy) -> None:
    """Work tables _core_act_decision (class_key, act_mask -> type) and _core_tg_decision (target_key, tg_mask ->
    target groups): etl.classify decides once per distinct combination of codes and keyword mask."""
    act_codes = [r.code for r in taxonomy.activity_keywords]
    tg_codes = [r.code for r in taxonomy.target_keywords]
    rows = []
    for class_key, mask in con.execute("select distinct class_key, act_mask from _core_act_keep").fetchall():
        hits = [c for i, c in enumerate(act_codes) if mask >> i & 1]
        rows.append((class_key, mask, *classify.decide_activity(class_key.split(_SEP) if class_key else [], hits,
                                                                taxonomy)))
    register(con, "_core_act_decision", pd.DataFrame(
        rows, columns=["class_key", "act_mask", "activity_type", "type_method", "type_confidence"]),
        {"class_key": "varchar", "act_mask": "bigint", "activity_type": "varchar", "type_method": "varchar",
         "type_confidence": "varchar"})
    rows = []
    for target_key, mask in con.execute("select distinct target_key, tg_mask from _core_act_keep").fetchall():
        hits = [c for i, c in enumerate(tg_codes) if mask >> i & 1]
        for g, method, conf in classify.decide_target_groups(target_key.split(_SEP) if target_key else [], hits,
                                                             taxonomy):
            rows.append((target_key, mask, g, method, conf))
    register(con, "_core_tg_decision", pd.DataFrame(
        rows, columns=["target_key", "tg_mask", "target_group", "method", "confidence"]),
        {"target_key": "varchar", "tg_mask": "bigint", "target_group": "varchar", "method": "varchar",
         "confidence": "varchar"})


def build_activities(con: Any, taxonomy: classify.Taxonomy) -> int:
    """Writes activity, activity_municipality, activity_target_group; returns duplicates merged. Needs the
    organisation work tables (etl.harmonise.organisations) and dim_target_group."""
    # each wide table is joined once, onto narrow work tables built before it, so that every statement spills
    run_sql(con, "core_act_org")
    run_sql(con, "core_act_grp", fragments={"source_priority": priority_sql("a.source")})
    _drop(con, "_core_act_stg", "_core_act_ref", "_core_act_org")
    run_sql(con, "core_act_rank")
    run_sql(con, "core_act_list")
    _drop(con, "_core_act_rank")
    run_sql(con, "core_act")
    _drop(con, "_core_act_grp", "_core_act_list")
    merged = con.execute("select count(*) from _core_act where dup_rank > 1").fetchone()[0]

    run_sql(con, "core_act_text", fragments={"max_description_chars": str(int(classify.MAX_DESCRIPTION_CHARS)),
                                             "guard_pattern": sql_literal(taxonomy.guard_pattern)})
    run_sql(con, "core_act_mask", fragments={
        "activity_mask": _mask_sql([r.pattern for r in taxonomy.activity_keywords]),
        "target_mask": _mask_sql([r.pattern for r in taxonomy.target_keywords])})
    run_sql(con, "core_act_num")
    run_sql(con, "core_act_keep", fragments={"separator": sql_literal(_SEP)})
    _drop(con, "_core_act", "_core_act_text", "_core_act_mask", "_core_act_num")

    _decide(con, taxonomy)
    for step in ("core_activity", "core_activity_municipality", "core_activity_target_group"):
        run_sql(con, step)
    return int(merged)
