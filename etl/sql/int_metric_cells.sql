-- int_metric_cells: the counts and rates that the three metric marts share, built once with GROUPING SETS at the
-- three levels ('municipality': the 292 mainland municipalities, 'area': the 22 areas, 'country': 'SSS'), each over
-- the full grid of activity types (+ '_all') x target groups (+ '_all') including zero rows. Reads the tables of
-- etl/sql/int_activity_placed.sql. Definitions: docs/methods.md.
-- Location quotient: the unit's rate over the reference rate of its own level, the sum of all units' counts at that
-- level over their population (an activity in k units counts k times on both sides), so that the population-weighted
-- mean LQ of every level is exactly 1. Small-number flags: one per figure, from that figure's own numerator and
-- denominator.
create or replace table int_metric_cells as
with frame as (
    -- the population frame of every unit at every level; the band population follows the group's denominator
    select 'municipality' as level, m.code, m.area_code, m.population, m.pop_0_14, m.pop_15_64, m.pop_65_plus,
           1 as municipality_count
    from municipality as m
    join area as a on a.code = m.area_code
    union all
    select 'area', code, code, population, pop_0_14, pop_15_64, pop_65_plus, municipality_count
    from area
    union all
    select 'country', 'SSS', 'SSS', cast(sum(population) as bigint), cast(sum(pop_0_14) as bigint),
           cast(sum(pop_15_64) as bigint), cast(sum(pop_65_plus) as bigint), cast(sum(municipality_count) as bigint)
    from area
),
grid as (
    select f.level, f.code, f.area_code, t.activity_type, g.target_group, f.population,
           case g.denominator
               when 'age_65_plus' then f.pop_65_plus
               when 'age_0_14' then f.pop_0_14
               when 'age_15_64' then f.pop_15_64
               else f.population  -- 'total' and 'age_15_29_if_available_else_total' (no 15-29 band available)
           end as band_population,
           f.municipality_count
    from frame as f
    cross join int_metric_types as t
    cross join int_metric_groups as g
),
-- The supply of each cell is counted level by level from rows that are distinct by construction, never from the
-- placed rows repeated once per level and made distinct again (21.7 M wide rows at demo scale 100: 56 s, spilling).
-- int_activity_placed holds each (activity, type, group, mainland municipality) once; an activity's areas are the
-- areas of its mainland municipalities, each once (act_area); the country counts each placed activity once. A
-- distinct aggregate (and one under GROUPING SETS above all) does not spill to disk and ran out of memory under a
-- memory_limit: the distinct organisations and covered municipalities are distinct rows first, then counted, each
-- level's rows made from the level below (a window over the placed rows does not spill either).
act_area as (
    select distinct am.activity_id, m.area_code
    from activity_municipality as am
    join municipality as m on m.code = am.municipality_code
    join area as a on a.code = m.area_code
),
activity_count as (
    select 'municipality' as level, municipality_code as code, activity_type, target_group, count(*) as activities,
           count(*) filter (where is_in_person) as in_person_activities
    from int_activity_placed
    group by municipality_code, activity_type, target_group
    union all
    select 'area', aa.area_code, k.activity_type, k.target_group, count(*), count(*) filter (where k.is_in_person)
    from int_activity_key as k
    join act_area as aa on aa.activity_id = k.activity_id
    where not k.is_national
    group by aa.area_code, k.activity_type, k.target_group
    union all
    select 'country', 'SSS', k.activity_type, k.target_group, count(*), count(*) filter (where k.is_in_person)
    from int_activity_key as k
    where not k.is_national and k.activity_id in (select activity_id from act_area)
    group by k.activity_type, k.target_group
),
org_municipality as (
    select distinct municipality_code, area_code, activity_type, target_group, org_id from int_activity_placed
),
org_area as (
    select distinct area_code, activity_type, target_group, org_id from org_municipality
),
org_cell as (
    select 'municipality' as level, municipality_code as code, activity_type, target_group,
           count(org_id) as orgs_active
    from org_municipality group by municipality_code, activity_type, target_group
    union all
    select 'area', area_code, activity_type, target_group, count(org_id)
    from org_area group by area_code, activity_type, target_group
    union all
    select 'country', 'SSS', activity_type, target_group, count(org_id)
    from (select distinct activity_type, target_group, org_id from org_area) group by activity_type, target_group
),
covered as (
    -- coverage: the municipalities with >= 1 in-person activity of the cell, each once, with its population
    select distinct municipality_code, area_code, activity_type, target_group, municipality_population
    from int_activity_placed where is_in_person
),
municipality_cell as (
    select 'municipality' as level, municipality_code as code, activity_type, target_group,
           count(*) as municipalities_with, sum(municipality_population) as population_with
    from covered group by municipality_code, activity_type, target_group
    union all
    select 'area', area_code, activity_type, target_group, count(*), sum(municipality_population)
    from covered group by area_code, activity_type, target_group
    union all
    select 'country', 'SSS', activity_type, target_group, count(*), sum(municipality_population)
    from covered group by activity_type, target_group
),
supply as (
    select a.level, a.code, a.activity_type, a.target_group, a.activities, a.in_person_activities,
           o.orgs_active, m.municipalities_with, m.population_with
    from activity_count as a
    left join org_cell as o
        on o.level = a.level and o.code = a.code and o.activity_type = a.activity_type
       and o.target_group = a.target_group
    left join municipality_cell as m
        on m.level = a.level and m.code = a.code and m.activity_type = a.activity_type
       and m.target_group = a.target_group
),
org_key as (
    -- organisations with >= 1 activity of the type/group anywhere (national included); the '_all'/'_all' cell holds
    -- every organisation, with or without activities; only organisations registered in the mainland. Each
    -- (organisation, type, group) once: with one home municipality per organisation, count(*) below counts distinct
    -- organisations at every level (no distinct aggregate under GROUPING SETS)
    select distinct k.org_id, k.activity_type, k.target_group
    from int_activity_key as k
    where not (k.activity_type = '_all' and k.target_group = '_all')
    union all
    select org_id, '_all', '_all' from organisation
),
registered as (
    select case when grouping(o.home_municipality_code) = 0 then 'municipality'
                when grouping(o.home_area_code) = 0 then 'area' else 'country' end as level,
           case when grouping(o.home_municipality_code) = 0 then o.home_municipality_code
                when grouping(o.home_area_code) = 0 then o.home_area_code else 'SSS' end as code,
           k.activity_type, k.target_group,
           count(*) as orgs_registered
    from org_key as k
    join organisation as o on o.org_id = k.org_id
    join area as a on a.code = o.home_area_code
    group by grouping sets ((o.home_municipality_code, k.activity_type, k.target_group),
                            (o.home_area_code, k.activity_type, k.target_group), (k.activity_type, k.target_group))
),
cells as (
select g.level, g.code, g.area_code, g.activity_type, g.target_group,
       coalesce(s.activities, 0) as activities,
       coalesce(s.in_person_activities, 0) as in_person_activities,
       coalesce(s.orgs_active, 0) as orgs_active,
       coalesce(r.orgs_registered, 0) as orgs_registered,
       g.population, g.band_population,
       coalesce(s.activities, 0) * 10000.0 / nullif(g.population, 0) as rate_per_10k,
       coalesce(s.orgs_active, 0) * 10000.0 / nullif(g.population, 0) as orgs_active_per_10k,
       coalesce(r.orgs_registered, 0) * 10000.0 / nullif(g.population, 0) as orgs_registered_per_10k,
       coalesce(s.activities, 0) * 1000.0 / nullif(g.band_population, 0) as rate_per_1k_band,
       coalesce(s.municipalities_with, 0) as municipalities_with,
       g.municipality_count,
       coalesce(s.municipalities_with, 0) * 1.0 / nullif(g.municipality_count, 0) as coverage_muni_share,
       coalesce(s.population_with, 0) * 1.0 / nullif(g.population, 0) as coverage_pop_share,
       (coalesce(s.activities, 0) < 5 or coalesce(g.population, 0) < 2000) as small_number,
       (coalesce(s.orgs_active, 0) < 5 or coalesce(g.population, 0) < 2000) as small_number_orgs_active,
       (coalesce(r.orgs_registered, 0) < 5 or coalesce(g.population, 0) < 2000) as small_number_orgs_registered,
       (coalesce(s.activities, 0) < 5 or coalesce(g.band_population, 0) < 2000) as small_number_band
from grid as g
left join supply as s
    on s.level = g.level and s.code = g.code and s.activity_type = g.activity_type and s.target_group = g.target_group
left join registered as r
    on r.level = g.level and r.code = g.code and r.activity_type = g.activity_type and r.target_group = g.target_group
)
select *,
       rate_per_10k / nullif(sum(activities) over level_cell * 10000.0
                             / nullif(sum(population) over level_cell, 0), 0) as lq
from cells
window level_cell as (partition by level, activity_type, target_group);
