"""A hand-made service-path warehouse for the page and referral-card tests (issue 10, contract /work/p10-spec.md).

`build_paths_warehouse(src, target)` copies a demo warehouse (the `demo_warehouse` build of tests/conftest.py)
and adds the contract's dimensions, public-side core tables and path marts for the 19 real municipalities of
Pohjois-Savo (area 13). The dimensions are loaded from the taxonomy files (service_paths.csv, path_stages.csv).
The organisation side uses real activities of the demo build (in-person ones placed in exactly one municipality,
so a municipality's count is exact); the public side is invented, hand-chosen per municipality in PLANS, and marked
DEMO. Every mart row follows from PLANS by the contract's rules, so each of the four statuses occurs. Each table
carries one extra column (`fixture_note`): the app must ignore columns it does not know.

The real build's path tables are dropped first and replaced by these. The tests read every expected value from these
mart rows, never from PLANS; the browser test (tests/browser/test_paths_browser.py) runs on the real demo build.
"""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from etl import paths

AREA = "13"                    # Pohjois-Savo
PATH = "mielenterveys"         # the path with every status
OTHER_PATH = "ikaantyminen"
AREA_SERVICE = "Kriisipuhelin, Pohjois-Savon hyvinvointialue (DEMO)"
NATIONAL_SERVICE = "Mielenterveystalo.fi (DEMO)"
ORG_NAME = "Pohjois-Savon hyvinvointialue (DEMO)"
# path -> {"org": {municipality: in-person activities to pick}, "public": {municipality: (points, covering)},
#          "open_to_all": municipality whose first picked activity is open to all (listed, not counted)}
PLANS = {
    PATH: {"org": {"297": 6, "749": 3, "402": 2, "687": 2, "171": 1, "204": 1},
           "public": {"297": (3, 1), "749": (1, 1), "402": (1, 0), "140": (2, 1), "915": (1, 1), "844": (1, 0),
                      "921": (0, 1)},
           "open_to_all": "297", "national": 2},
    OTHER_PATH: {"org": {"297": 4, "749": 1}, "public": {"297": (2, 0), "140": (1, 0), "420": (0, 1)},
                 "open_to_all": None, "national": 1},
}
DENOMINATOR_COLUMN = {"total": "population", "age_65_plus": "pop_65_plus", "age_0_14": "pop_0_14",
                      "age_15_64": "pop_15_64"}


def _taxonomy(name: str) -> list[dict[str, str]]:
    with open(paths.reference_dir() / "taxonomy" / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _split(v: str) -> list[str]:
    return [x.strip() for x in (v or "").split(";") if x.strip()]


def _dimensions(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""create table dim_service_path (path_code varchar, sort_order int, label_fi varchar,
        label_sv varchar, label_en varchar, target_groups varchar[], public_service_classes varchar[],
        need_denominator varchar, description_en varchar, fixture_note varchar)""")
    for i, r in enumerate(_taxonomy("service_paths.csv"), 1):
        con.execute("insert into dim_service_path values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'fixture')",
                    [r["code"], i, r["label_fi"], r["label_sv"], r["label_en"], _split(r["target_groups"]),
                     _split(r["public_service_classes"]), r["need_denominator"], r["description_en"]])
    con.execute("""create table dim_path_stage (stage_code varchar, stage_order int, label_fi varchar,
        label_sv varchar, label_en varchar, side varchar, activity_types varchar[], description_en varchar,
        fixture_note varchar)""")
    for r in _taxonomy("path_stages.csv"):
        con.execute("insert into dim_path_stage values (?, ?, ?, ?, ?, ?, ?, ?, 'fixture')",
                    [r["code"], int(r["order"]), r["label_fi"], r["label_sv"], r["label_en"], r["side"],
                     _split(r["activity_types"]), r["description_en"]])


def _create_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""create table public_service (service_id varchar, org_source_id varchar, org_name varchar,
        org_type varchar, name_fi varchar, name_sv varchar, name_en varchar, service_classes varchar[],
        languages varchar[], area_type varchar, municipality_codes varchar[], url varchar, source varchar,
        fixture_note varchar)""")
    con.execute("""create table public_service_place (channel_id varchar, service_id varchar, org_source_id varchar,
        channel_type varchar, name varchar, municipality_code varchar, lat double, lon double, address varchar,
        url varchar, phone varchar, fixture_note varchar)""")
    con.execute("create table public_service_path (service_id varchar, path_code varchar, fixture_note varchar)")
    con.execute("""create table mart_path_public_service (path_code varchar, service_id varchar,
        municipality_code varchar, via varchar, fixture_note varchar)""")
    con.execute("""create table mart_path_activity (path_code varchar, stage_code varchar, activity_id varchar,
        is_in_person boolean, is_national boolean, open_to_all boolean, fixture_note varchar)""")


def _public_side(con: duckdb.DuckDBPyConnection, path: str, plan: dict, munis: dict[str, dict]) -> None:
    classes = con.execute("select public_service_classes from dim_service_path where path_code = ?",
                          [path]).fetchone()[0]
    covering = [m for m, (_, c) in plan["public"].items() if c]
    services = []   # (service_id, name_fi, name_sv, languages, area_type, municipality_codes)
    for m, (points, _) in plan["public"].items():
        if points:
            services.append((f"PS-{path}-{m}", f"{path.capitalize()}palvelut, {munis[m]['name_fi']} (DEMO)",
                             f"{path.capitalize()}tjänster, {munis[m]['name_sv']} (DEMO)",
                             ["fi", "sv"] if m == "297" else ["fi"], "LimitedType", [m]))
    if covering:
        services.append((f"PS-{path}-area", AREA_SERVICE, None, ["fi", "en"], "LimitedType", covering))
    services.append((f"PS-{path}-national", NATIONAL_SERVICE, None, ["fi", "sv", "en"], "Nationwide", []))
    for sid, name_fi, name_sv, langs, area_type, codes in services:
        con.execute("insert into public_service values (?, 'ORG-PS', ?, 'SotePublic', ?, ?, null, ?, ?, ?, ?, ?, "
                    "'ptv', 'fixture')", [sid, ORG_NAME, name_fi, name_sv, classes, langs, area_type, codes,
                                          f"https://demo.example.org/ptv/{sid}"])
        con.execute("insert into public_service_path values (?, ?, 'fixture')", [sid, path])
    for m, (points, _) in plan["public"].items():
        for k in range(points):
            sid = f"PS-{path}-{m}"
            con.execute("insert into public_service_place values (?, ?, 'ORG-PS', 'ServiceLocation', ?, ?, ?, ?, ?, "
                        "?, '+358 44 000 0000', 'fixture')",
                        [f"CH-{path}-{m}-{k}", sid, f"Toimipiste {k + 1}", m, munis[m]["lat"], munis[m]["lon"],
                         f"Demokatu {k + 1}, {munis[m]['name_fi']}", f"https://demo.example.org/ptv/{sid}"])
            if k == 0:
                con.execute("insert into mart_path_public_service values (?, ?, ?, 'place', 'fixture')", [path, sid, m])
    for m in covering:
        con.execute("insert into mart_path_public_service values (?, ?, ?, 'area', 'fixture')",
                    [path, f"PS-{path}-area", m])
    con.execute("insert into mart_path_public_service values (?, ?, null, 'national', 'fixture')",
                [path, f"PS-{path}-national"])


def _organisation_side(con: duckdb.DuckDBPyConnection, path: str, plan: dict) -> None:
    """Real demo activities: per planned municipality the first N in-person ones placed only there whose type
    belongs to an organisations stage (the path's target group first); plus national ones."""
    groups = con.execute("select target_groups from dim_service_path where path_code = ?", [path]).fetchone()[0]
    for m, n in plan["org"].items():
        con.execute("""
            insert into mart_path_activity
            with single as (select activity_id from mart_activity_list where is_in_person
                            group by activity_id having count(distinct municipality_code) = 1)
            select $path, s.stage_code, l.activity_id, true, false,
                   $first_open and row_number() over (order by list_has_any(l.target_groups, $groups) desc,
                                              l.activity_id) = 1,
                   'fixture'
            from mart_activity_list l join single using (activity_id)
            join dim_path_stage s on s.side = 'organisations' and list_contains(s.activity_types, l.activity_type)
            where l.municipality_code = $muni
            order by list_has_any(l.target_groups, $groups) desc, l.activity_id limit $n""",
                    {"path": path, "muni": m, "n": n, "groups": groups, "first_open": plan["open_to_all"] == m})
    con.execute("""
        insert into mart_path_activity
        select $path, stage_code, activity_id, false, true, false, 'fixture' from (
            select distinct s.stage_code, l.activity_id, list_has_any(l.target_groups, $groups) as hit
            from mart_activity_list l
            join dim_path_stage s on s.side = 'organisations' and list_contains(s.activity_types, l.activity_type)
            where l.is_national)
        order by hit desc, activity_id limit $n""", {"path": path, "groups": groups, "n": plan["national"]})


def _marts(con: duckdb.DuckDBPyConnection) -> None:
    """The marts from the rows above, by the contract's rules (status, stages, nearest, roll-ups)."""
    con.execute(f"""
        create table mart_path_municipality as
        with munis as (select code, name_fi, name_sv, area_code, population, centroid_x, centroid_y
                       from municipality where area_code = '{AREA}'),
        org as (select pa.path_code, l.municipality_code, count(distinct pa.activity_id) as n
                from mart_path_activity pa join mart_activity_list l using (activity_id)
                where pa.is_in_person and not pa.open_to_all group by all),
        pts as (select pp.path_code, pl.municipality_code, count(*) as n
                from public_service_place pl join public_service_path pp using (service_id) group by all),
        cov as (select path_code, municipality_code, count(*) as n from mart_path_public_service
                where via = 'area' group by all),
        nat as (select path_code, count(*) as n from mart_path_public_service where via = 'national' group by all),
        onat as (select path_code, count(distinct activity_id) as n from mart_path_activity where is_national
                 group by all),
        grid as (select p.path_code, m.* from (select distinct path_code from mart_path_activity) p, munis m),
        base as (
            select g.path_code, g.code as municipality_code, g.area_code, g.name_fi as municipality_name_fi,
                   g.name_sv as municipality_name_sv, g.population, coalesce(pts.n, 0)::int as public_points,
                   coalesce(cov.n, 0)::int as public_services_covering, coalesce(nat.n, 0)::int as public_national,
                   coalesce(org.n, 0)::int as org_in_person, coalesce(onat.n, 0)::int as org_national,
                   g.centroid_x, g.centroid_y
            from grid g
            left join org on org.path_code = g.path_code and org.municipality_code = g.code
            left join pts on pts.path_code = g.path_code and pts.municipality_code = g.code
            left join cov on cov.path_code = g.path_code and cov.municipality_code = g.code
            left join nat on nat.path_code = g.path_code
            left join onat on onat.path_code = g.path_code),
        st as (select *, case when public_points + public_services_covering > 0 and org_in_person > 0 then 'both'
                              when public_points + public_services_covering > 0 then 'public_only'
                              when org_in_person > 0 then 'organisations_only' else 'neither' end as status
               from base),
        near as (select a.path_code, a.municipality_code, arg_min(b.municipality_code,
                        sqrt(power(a.centroid_x - b.centroid_x, 2) + power(a.centroid_y - b.centroid_y, 2))) as code,
                        min(sqrt(power(a.centroid_x - b.centroid_x, 2)
                                 + power(a.centroid_y - b.centroid_y, 2))) / 1000 as km
                 from st a join st b on b.path_code = a.path_code and b.org_in_person > 0
                 where a.status = 'public_only' group by all)
        select st.* exclude (centroid_x, centroid_y), near.code as nearest_org_municipality_code,
               round(near.km, 1) as nearest_org_distance_km, 'fixture' as fixture_note
        from st left join near using (path_code, municipality_code)""")
    con.execute("""
        create table mart_path_municipality_stage as
        with counts as (select pa.path_code, pa.stage_code, l.municipality_code, count(distinct pa.activity_id) as n
                        from mart_path_activity pa join mart_activity_list l using (activity_id)
                        where pa.is_in_person and not pa.open_to_all group by all)
        select p.path_code, p.municipality_code, p.area_code, s.stage_code,
               (case when s.side = 'public' then p.public_points else coalesce(c.n, 0) end)::int as activities,
               'fixture' as fixture_note
        from mart_path_municipality p cross join dim_path_stage s
        left join counts c on c.path_code = p.path_code and c.stage_code = s.stage_code
                           and c.municipality_code = p.municipality_code""")
    con.execute("""
        create table mart_path_nearby as
        with has as (select distinct path_code, stage_code, municipality_code from mart_path_municipality_stage
                     where stage_code <> 'julkinen' and activities > 0),
        pairs as (select h.path_code, h.stage_code, a.code as municipality_code, h.municipality_code as nearby,
                         round(sqrt(power(a.centroid_x - b.centroid_x, 2)
                                    + power(a.centroid_y - b.centroid_y, 2)) / 1000, 1) as km
                  from has h join municipality b on b.code = h.municipality_code
                  join municipality a on a.area_code = b.area_code and a.code <> b.code)
        select path_code, stage_code, municipality_code, nearby as nearby_municipality_code, km as distance_km,
               rank, 'fixture' as fixture_note
        from (select *, row_number() over (partition by path_code, stage_code, municipality_code
                                           order by km, nearby)::int as rank from pairs)
        where rank <= 3""")
    denominators = " ".join(f"when '{k}' then m.{c}" for k, c in DENOMINATOR_COLUMN.items())
    con.execute(f"""
        create table mart_path_area as
        with rows as (select p.*, d.need_denominator,
                             case d.need_denominator {denominators} end as denominator
                      from mart_path_municipality p join municipality m on m.code = p.municipality_code
                      join dim_service_path d using (path_code)),
        scoped as (select *, area_code as scope from rows union all select *, 'FI' from rows)
        select path_code, scope as area_code, count(*)::int as municipalities,
               count(*) filter (where status = 'both')::int as municipalities_both,
               count(*) filter (where status = 'public_only')::int as municipalities_public_only,
               count(*) filter (where status = 'organisations_only')::int as municipalities_organisations_only,
               count(*) filter (where status = 'neither')::int as municipalities_neither,
               coalesce(sum(population) filter (where status = 'both'), 0)::bigint as population_both,
               coalesce(sum(population) filter (where status = 'public_only'), 0)::bigint as population_public_only,
               coalesce(sum(population) filter (where status = 'organisations_only'), 0)::bigint
                   as population_organisations_only,
               coalesce(sum(population) filter (where status = 'neither'), 0)::bigint as population_neither,
               any_value(need_denominator) as denominator_kind,
               sum(denominator)::double as denominator_value,
               '2025' as denominator_period, 'fixture' as fixture_note
        from scoped group by path_code, scope""")
    con.execute("""
        create table mart_path_area_stage as
        with scoped as (select *, area_code as scope from mart_path_municipality_stage
                        union all select *, 'FI' from mart_path_municipality_stage),
        sums as (select path_code, scope as area_code, stage_code, sum(activities)::int as activities
                 from scoped group by all)
        select s.path_code, s.area_code, s.stage_code, s.activities,
               s.activities * 10000.0 / a.denominator_value as rate, 'per_10000' as rate_unit,
               s.activities < 5 or a.denominator_value < 2000 as small_number, 'fixture' as fixture_note
        from sums s join mart_path_area a using (path_code, area_code)""")


def build_paths_warehouse(src: Path, target: Path) -> Path:
    """A copy of the warehouse `src` at `target` with the service-path contract tables (see the module text)."""
    shutil.copyfile(src, target)
    con = duckdb.connect(str(target))
    try:
        # the real build has these tables too: the hand-made ones replace them, so every value below follows PLANS
        for (name,) in con.execute("select table_name from duckdb_tables() where table_name in "
                                   "('dim_service_path', 'dim_path_stage', 'public_service', 'public_service_place', "
                                   "'public_service_path') or table_name like 'mart\\_path\\_%' escape '\\'").fetchall():
            con.execute(f'drop table "{name}"')
        _dimensions(con)
        _create_tables(con)
        munis = {r[0]: {"name_fi": r[1], "name_sv": r[2], "lat": r[3], "lon": r[4]} for r in con.execute(
            "select code, name_fi, coalesce(name_sv, name_fi), lat, lon from municipality where area_code = ?",
            [AREA]).fetchall()}
        for path, plan in PLANS.items():
            _public_side(con, path, plan, munis)
            _organisation_side(con, path, plan)
        _marts(con)
    finally:
        con.close()
    return target


@pytest.fixture(scope="session")
def paths_warehouse(demo_warehouse, tmp_path_factory) -> Path:
    """The demo build plus the hand-made service-path tables (session-wide; tests point JARJESTOKARTTA_DB at it)."""
    return build_paths_warehouse(demo_warehouse, tmp_path_factory.mktemp("paths") / "paths.duckdb")
