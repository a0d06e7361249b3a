"""Build checks: unique / not null / accepted values / relationships / expected totals / record accounting.

A `block` check that fails stops the build before the swap (the old warehouse keeps serving); a `warn` check is
recorded in `_meta_build.warnings` and shown on the data page.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from .context import LoadStats

AREA_CODES = [f"{i:02d}" for i in range(1, 22)] + ["90"]
MAINLAND_MUNICIPALITIES = 292
ALL_MUNICIPALITIES = 308
MAP_PAYLOAD_LIMIT = 300_000


@dataclass
class CheckResult:
    name: str
    severity: str   # block | warn
    ok: bool
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def _scalar(con, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}


def check_geography(con, reference_dir: Path | None) -> list[CheckResult]:
    out = []
    codes = [r[0] for r in con.execute("select code from area order by code").fetchall()]
    out.append(CheckResult("area_codes", "block", codes == AREA_CODES,
                           f"{len(codes)} areas: {', '.join(codes)}" if codes != AREA_CODES else "22 areas"))
    n_all = _scalar(con, "select count(*) from municipality")
    n_main = _scalar(con, "select count(*) from municipality where not is_aland")
    out.append(CheckResult("municipality_count", "block", (n_all, n_main) == (ALL_MUNICIPALITIES,
                           MAINLAND_MUNICIPALITIES), f"{n_all} municipalities, {n_main} on the mainland"))
    orphans = _scalar(con, "select count(*) from municipality m where not is_aland "
                           "and m.area_code not in (select code from area)")
    out.append(CheckResult("municipality_in_one_area", "block", orphans == 0,
                           f"{orphans} mainland municipalities without an area"))
    mismatch = _scalar(con, """
        select count(*) from area a
        left join (select area_code, sum(population) p, count(*) n from municipality where not is_aland
                   group by area_code) m on m.area_code = a.code
        where m.p is distinct from a.population or m.n is distinct from a.municipality_count""")
    out.append(CheckResult("area_population_sums", "block", mismatch == 0,
                           f"{mismatch} areas whose population or count differs from their municipalities"))
    if reference_dir and (reference_dir / "geo" / "wellbeing_regions.csv").exists():
        ref = pd.read_csv(reference_dir / "geo" / "wellbeing_regions.csv", dtype={"code": str})
        got = con.execute("select code, population, municipality_count from area order by code").df()
        diff = ref[["code", "population", "municipality_count"]].merge(got, on="code", how="outer",
                                                                        suffixes=("_ref", ""))
        bad = diff[(diff.population_ref != diff.population) | (diff.municipality_count_ref != diff.municipality_count)]
        out.append(CheckResult("area_population_reference", "block", bad.empty,
                               "areas equal the reference" if bad.empty else
                               f"differs from reference for {list(bad.code)}"))
        mref = pd.read_csv(reference_dir / "geo" / "municipalities.csv", dtype={"municipality_code": str})
        mgot = con.execute("select code, population from municipality").df()
        mdiff = mref.merge(mgot, left_on="municipality_code", right_on="code", how="outer")
        mbad = mdiff[mdiff.population_x != mdiff.population_y]
        out.append(CheckResult("municipality_population_reference", "block", mbad.empty,
                               "municipalities equal the reference" if mbad.empty else
                               f"differs from reference for {list(mbad.municipality_code)[:10]}"))
    else:
        out.append(CheckResult("area_population_reference", "warn", False,
                               "reference geo/wellbeing_regions.csv not available; populations not compared"))
    payload = _scalar(con, "select sum(bytes) from geo_area")
    out.append(CheckResult("map_payload", "warn", payload < MAP_PAYLOAD_LIMIT,
                           f"national map geometry {payload:,} bytes (limit {MAP_PAYLOAD_LIMIT:,})"))
    return out


def check_core(con) -> list[CheckResult]:
    out = []
    t = _tables(con)
    uniques = [("organisation", "org_id"), ("activity", "activity_id"), ("municipality", "code"), ("area", "code")]
    for table, col in uniques:
        if table in t:
            dup = _scalar(con, f"select count(*) - count(distinct {col}) from {table}")
            nulls = _scalar(con, f"select count(*) from {table} where {col} is null")
            out.append(CheckResult(f"unique_{table}_{col}", "block", dup == 0 and nulls == 0,
                                   f"{dup} duplicate and {nulls} empty {col} values in {table}"))
    if "organisation" in t:
        dup = _scalar(con, "select count(*) - count(distinct business_id) from organisation "
                           "where business_id is not null")
        out.append(CheckResult("unique_organisation_business_id", "block", dup == 0,
                               f"{dup} business ids on more than one organisation"))
    rels = [
        ("activity_org", "select count(*) from activity where org_id not in (select org_id from organisation)"),
        ("activity_type_known", "select count(*) from activity where activity_type not in "
                                "(select code from dim_activity_type)"),
        ("activity_municipality_mainland", "select count(*) from activity_municipality where municipality_code "
                                           "not in (select code from municipality where not is_aland)"),
        ("activity_municipality_activity", "select count(*) from activity_municipality where activity_id not in "
                                           "(select activity_id from activity)"),
        ("activity_has_target_group", "select count(*) from activity where activity_id not in "
                                      "(select activity_id from activity_target_group)"),
        ("target_group_known", "select count(*) from activity_target_group where target_group not in "
                               "(select code from dim_target_group)"),
        ("local_activity_has_place", "select count(*) from activity a where not is_national and not exists "
                                     "(select 1 from activity_municipality m where m.activity_id = a.activity_id)"),
        ("grant_org", "select count(*) from \"grant\" where org_id is not null and org_id not in "
                      "(select org_id from organisation)"),
    ]
    for name, sql in rels:
        try:
            n = _scalar(con, sql)
        except Exception as e:  # a missing table is itself a failure worth naming
            out.append(CheckResult(name, "block", False, f"could not run: {e}"))
            continue
        out.append(CheckResult(name, "block", n == 0, f"{n} rows break the rule"))
    return out


def check_accounting(stats: list[LoadStats]) -> list[CheckResult]:
    return [CheckResult(f"records_{s.source}", "block", s.balanced,
                        f"read {s.read} = loaded {s.loaded} + set aside {s.quarantined}"
                        + ("" if s.balanced else " DOES NOT BALANCE")) for s in stats]


def check_marts(con) -> list[CheckResult]:
    out = []
    t = _tables(con)
    for table in ("mart_area_metrics", "mart_municipality_metrics", "mart_white_spot", "mart_need_supply",
                  "mart_org_visibility"):
        out.append(CheckResult(f"exists_{table}", "block", table in t, f"{table} {'built' if table in t else 'missing'}"))
    if "mart_area_metrics" in t:
        n = _scalar(con, "select count(distinct area_code) from mart_area_metrics")
        out.append(CheckResult("mart_area_metrics_areas", "block", n == 22, f"{n} areas in mart_area_metrics"))
        total = _scalar(con, "select count(*) from activity a where not is_national")
        counted = _scalar(con, "select count(distinct activity_id) from activity_municipality")
        out.append(CheckResult("local_activities_placed", "block", total == counted,
                               f"{counted} of {total} local activities have a municipality"))
    return out + check_paths(con, t)


PATH_MARTS = ("mart_path_activity", "mart_path_public_service", "mart_path_municipality",
              "mart_path_municipality_stage", "mart_path_area", "mart_path_area_stage", "mart_path_nearby")


def check_paths(con, t: set[str]) -> list[CheckResult]:
    """Service paths (issue 10): the vocabulary names known codes, the public side stays apart, the grids are full."""
    if "dim_service_path" not in t:
        return [CheckResult("exists_dim_service_path", "block", False, "dim_service_path missing")]
    out = [CheckResult(f"exists_{m}", "block", m in t, f"{m} {'built' if m in t else 'missing'}") for m in PATH_MARTS]
    vocab = {
        "path_target_groups_known": "select count(*) from (select unnest(target_groups) g from dim_service_path) "
                                    "where g not in (select code from dim_target_group)",
        "path_service_classes_known": "select count(*) from (select unnest(public_service_classes) c from "
                                      "dim_service_path) where c not in (select code from dim_ptv_service_class)",
        "stage_activity_types_known": "select count(*) from (select unnest(activity_types) t from dim_path_stage) "
                                      "where t not in (select code from dim_activity_type)",
        "unique_public_service_service_id": "select count(*) - count(distinct service_id) from public_service",
        "public_service_not_an_activity": "select count(*) from public_service where service_id in "
                                          "(select source_id from activity where source = 'ptv')",
    }
    for name, sql in vocab.items():
        n = _scalar(con, sql)
        out.append(CheckResult(name, "block", n == 0, f"{n} rows break the rule"))
    if "mart_path_municipality" in t:
        n, paths = _scalar(con, "select count(*) from mart_path_municipality"), _scalar(
            con, "select count(*) from dim_service_path")
        out.append(CheckResult("mart_path_municipality_grid", "block", n == paths * MAINLAND_MUNICIPALITIES,
                               f"{n} rows for {paths} paths x {MAINLAND_MUNICIPALITIES} municipalities"))
    return out
