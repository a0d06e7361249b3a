-- mart_area_metrics: one row per area (22) x activity type (+ '_all') x target group (+ '_all'), the full grid
-- including zero rows (a missing row would hide a white spot). Definitions: docs/methods.md.
-- Reads mart_country_metrics for the location quotient, so it is built after it.
create or replace table mart_area_metrics as
with types as (select * from int_metric_types),              -- etl/sql/int_activity_placed.sql
target_groups as (select * from int_metric_groups),
mainland as (
    select m.code, m.area_code, m.population
    from municipality as m
    join area as a on a.code = m.area_code
),
activity_key as (select * from int_activity_key),        -- etl/sql/int_activity_placed.sql
placed as (select * from int_activity_placed),
supply as (
    -- distinct: an activity in several municipalities of one area counts once for the area
    select area_code, activity_type, target_group,
           count(distinct activity_id) as activities,
           count(distinct org_id) as orgs_active
    from placed
    group by area_code, activity_type, target_group
),
coverage as (
    select area_code, activity_type, target_group,
           count(*) as municipalities_with,
           sum(municipality_population) as population_with
    from (
        select distinct area_code, activity_type, target_group, municipality_code, municipality_population
        from placed
        where is_in_person
    )
    group by area_code, activity_type, target_group
),
registered as (
    -- organisations whose registered home is in the area and that have >= 1 activity of the type/group anywhere
    -- (national activities included); '_all'/'_all' counts every organisation registered in the area
    select o.home_area_code as area_code, k.activity_type, k.target_group,
           count(distinct k.org_id) as orgs_registered
    from activity_key as k
    join organisation as o on o.org_id = k.org_id
    where o.home_area_code is not null
      and not (k.activity_type = '_all' and k.target_group = '_all')
    group by o.home_area_code, k.activity_type, k.target_group
    union all
    select home_area_code, '_all', '_all', count(distinct org_id)
    from organisation
    where home_area_code is not null
    group by home_area_code
),
grid as (
    select a.code as area_code, t.activity_type, g.target_group,
           a.population,
           case g.denominator
               when 'age_65_plus' then a.pop_65_plus
               when 'age_0_14' then a.pop_0_14
               when 'age_15_64' then a.pop_15_64
               else a.population  -- 'total' and 'age_15_29_if_available_else_total' (no 15-29 band available)
           end as band_population,
           a.municipality_count
    from area as a
    cross join types as t
    cross join target_groups as g
),
counted as (
    select g.area_code, g.activity_type, g.target_group,
           coalesce(s.activities, 0) as activities,
           coalesce(s.orgs_active, 0) as orgs_active,
           coalesce(r.orgs_registered, 0) as orgs_registered,
           g.population, g.band_population,
           coalesce(c.municipalities_with, 0) as municipalities_with,
           g.municipality_count,
           coalesce(c.population_with, 0) as population_with
    from grid as g
    left join supply as s
        on s.area_code = g.area_code and s.activity_type = g.activity_type and s.target_group = g.target_group
    left join coverage as c
        on c.area_code = g.area_code and c.activity_type = g.activity_type and c.target_group = g.target_group
    left join registered as r
        on r.area_code = g.area_code and r.activity_type = g.activity_type and r.target_group = g.target_group
),
rated as (
    select *,
           activities * 10000.0 / nullif(population, 0) as rate_per_10k,
           orgs_active * 10000.0 / nullif(population, 0) as orgs_active_per_10k,
           orgs_registered * 10000.0 / nullif(population, 0) as orgs_registered_per_10k,
           activities * 1000.0 / nullif(band_population, 0) as rate_per_1k_band
    from counted
)
select r.area_code, r.activity_type, r.target_group, r.activities, r.orgs_active, r.orgs_registered,
       r.population, r.band_population,
       r.rate_per_10k, r.orgs_active_per_10k, r.orgs_registered_per_10k, r.rate_per_1k_band,
       r.rate_per_10k / nullif(n.rate_per_10k, 0) as lq,
       r.municipalities_with, r.municipality_count,
       r.municipalities_with * 1.0 / nullif(r.municipality_count, 0) as coverage_muni_share,
       r.population_with * 1.0 / nullif(r.population, 0) as coverage_pop_share,
       (r.activities < 5 or coalesce(r.population, 0) < 2000) as small_number
from rated as r
left join mart_country_metrics as n on n.activity_type = r.activity_type and n.target_group = r.target_group
order by r.area_code, r.activity_type, r.target_group;
