"""Staging tables -> core tables: organisations (deduplicated), activities (classified), grants, dimensions.

`build_core(con, reference_dir, is_demo=...)` reads every `stg_<src>__organisation` and `stg_<src>__activity` table
it finds (a new source needs no change here), `stg_stea__grant` and the core `municipality` table (plus `area` when
present) and writes: dim_activity_type, dim_target_group, organisation, organisation_source, activity,
activity_municipality, activity_target_group, grant. Columns as in docs/data-model.md.

One module a job, each with its rules in its docstring:
- `organisations`: record matching and deduplication -> organisation, organisation_source;
- `activities`: deduplication, classification (etl.classify) and the municipality and target-group bridges;
- `grants`: organisation and area of each STEA grant.
Every set-based statement is a file `etl/sql/core_<table>.sql` named after the table it builds (a work table
`_core_<name>` is built by `core_<name>.sql`), run by `etl.sqlrun.run_sql` like the marts; Python orchestrates and
computes what is per distinct value (business ids, names, places, classification decisions).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from etl import classify
from etl.context import write_table
from etl.harmonise.activities import build_activities, stage_activities
from etl.harmonise.common import drop_work_tables, staging_tables
from etl.harmonise.grants import build_grants
from etl.harmonise.organisations import build_organisations

__all__ = ["CORE_TABLES", "build_core", "build_dimensions", "staging_tables"]

CORE_TABLES = ("dim_activity_type", "dim_target_group", "organisation", "organisation_source", "activity",
               "activity_municipality", "activity_target_group", "grant")


def build_dimensions(con: Any, taxonomy: classify.Taxonomy) -> None:
    at = pd.DataFrame(taxonomy.activity_types,
                      columns=["code", "label_fi", "label_sv", "label_en", "description_en", "sort_order"])
    tg = pd.DataFrame(taxonomy.target_groups,
                      columns=["code", "label_fi", "label_sv", "label_en", "population_denominator", "sort_order"])
    at["sort_order"] = at["sort_order"].astype("int32")
    tg["sort_order"] = tg["sort_order"].astype("int32")
    write_table(con, "dim_activity_type", at)
    write_table(con, "dim_target_group", tg)


def build_core(con: Any, reference_dir: Path, *, is_demo: bool) -> dict[str, int]:
    """Build the core tables from the staging tables; returns row counts per table and
    `activity_duplicates_merged` (stg activity rows = activity + activity_duplicates_merged)."""
    taxonomy = classify.load_taxonomy(reference_dir)
    build_dimensions(con, taxonomy)
    stage_activities(con)
    build_organisations(con, is_demo=is_demo)
    merged = build_activities(con, taxonomy)
    build_grants(con, reference_dir)
    counts = {t: con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in CORE_TABLES}
    counts["activity_duplicates_merged"] = merged
    drop_work_tables(con)
    return counts
