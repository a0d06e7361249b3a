"""Organisations: record matching and deduplication -> organisation, organisation_source.

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

The set-based steps are etl/sql/core_{act_ref,org_all,org_rec,org,org_id,organisation,rec_key,
organisation_source}.sql; Python validates business ids and normalises names once per distinct value.
"""
from __future__ import annotations

from typing import Any

from etl.bizid import normalise_business_id
from etl.harmonise.common import priority_sql, register_mapping, stage, staging_tables
from etl.sqlrun import run_sql
from etl.text import normalise_name

ORG_COLUMNS = ["source", "source_id", "business_id", "business_id_raw", "business_id_valid", "name", "company_form",
               "home_municipality_code", "main_business_line", "website", "updated_at"]
ORG_TYPES = ["varchar", "varchar", "varchar", "varchar", "boolean", "varchar", "varchar", "varchar", "varchar",
             "varchar", "timestamp"]


def build_organisations(con: Any, *, is_demo: bool) -> None:
    """Writes organisation and organisation_source; needs _core_act_stg. Leaves the work tables the activities and
    grants join on: _core_act_ref, _core_rec_key, _core_org_rec, _core_org, _core_org_id, _core_nn (name -> nn)."""
    stage(con, "_core_org_stg", staging_tables(con, "organisation"), ORG_COLUMNS, ORG_TYPES)
    run_sql(con, "core_act_ref")
    # business ids of activity-only organisations are validated here (staging ones already are)
    raw_ids = [r[0] for r in con.execute(
        "select distinct org_business_id from _core_act_ref where not has_org_row and org_business_id is not null"
    ).fetchall()]
    register_mapping(con, "_core_bid", raw_ids, normalise_business_id, ("raw", "bid"))
    run_sql(con, "core_org_all")
    names = [r[0] for r in con.execute("select distinct name from _core_org_all where name is not null").fetchall()]
    register_mapping(con, "_core_nn", names, normalise_name, ("name", "nn"))
    run_sql(con, "core_org_rec", fragments={"source_priority": priority_sql("source")})
    for step in ("core_org", "core_org_id"):
        run_sql(con, step)
    run_sql(con, "core_organisation", params={"is_demo": bool(is_demo)})
    for step in ("core_rec_key", "core_organisation_source"):
        run_sql(con, step)
