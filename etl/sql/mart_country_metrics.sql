-- mart_country_metrics: the whole mainland (area_code 'SSS') per activity type x target group, incl. '_all' totals.
-- Same columns and definitions as mart_area_metrics (see docs/methods.md). Built first: the area and municipality
-- marts take their location quotient's denominator from here.
create or replace table mart_country_metrics as
with types as (select * from int_metric_types),              -- etl/sql/int_activity_placed.sql
target_groups as (select * from int_metric_groups),
mainland as (
    -- the 292 mainland municipalities: those whose area is one of the 22 areas (Åland '91' is not in `area`)
    select m.code, m.area_code, m.population
    from municipality as m
    join area as a on a.code = m.area_code
),
activity_key as (select * from int_activity_key),        -- etl/sql/int_activity_placed.sql
placed as (select * from int_activity_placed),
supply as (
    select activity_type, target_group,
           count(distinct activity_id) as activities,
           count(distinct org_id) as orgs_active
    from placed
    group by activity_type, target_group
),
coverage as (
    select activity_type, target_group,
           count(*) as municipalities_with,
           sum(municipality_population) as population_with
    from (
        select distinct activity_type, target_group, municipality_code, municipality_population
        from placed
        where is_in_person
    )
    group by activity_type, target_group
),
registered as (
    -- organisations registered in the mainland with >= 1 activity of the type/group anywhere (national included);
    -- the '_all'/'_all' cell counts every registered organisation, with or without activities
    select k.activity_type, k.target_group, count(distinct k.org_id) as orgs_registered
    from activity_key as k
    join organisation as o on o.org_id = k.org_id
    join area as a on a.code = o.home_area_code
    where not (k.activity_type = '_all' and k.target_group = '_all')
    group by k.activity_type, k.target_group
    union all
    select '_all', '_all', count(distinct o.org_id)
    from organisation as o
    join area as a on a.code = o.home_area_code
),
frame as (
    select cast(sum(population) as bigint) as population, cast(sum(pop_0_14) as bigint) as pop_0_14,
           cast(sum(pop_15_64) as bigint) as pop_15_64, cast(sum(pop_65_plus) as bigint) as pop_65_plus,
           cast(sum(municipality_count) as integer) as municipality_count
    from area
),
grid as (
    select 'SSS' as area_code, t.activity_type, g.target_group,
           f.population,
           case g.denominator
               when 'age_65_plus' then f.pop_65_plus
               when 'age_0_14' then f.pop_0_14
               when 'age_15_64' then f.pop_15_64
               else f.population  -- 'total' and 'age_15_29_if_available_else_total' (no 15-29 band available)
           end as band_population,
           f.municipality_count
    from frame as f
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
    left join supply as s on s.activity_type = g.activity_type and s.target_group = g.target_group
    left join coverage as c on c.activity_type = g.activity_type and c.target_group = g.target_group
    left join registered as r on r.activity_type = g.activity_type and r.target_group = g.target_group
)
select area_code, activity_type, target_group, activities, orgs_active, orgs_registered,
       population, band_population,
       activities * 10000.0 / nullif(population, 0) as rate_per_10k,
       orgs_active * 10000.0 / nullif(population, 0) as orgs_active_per_10k,
       orgs_registered * 10000.0 / nullif(population, 0) as orgs_registered_per_10k,
       activities * 1000.0 / nullif(band_population, 0) as rate_per_1k_band,
       -- the country against itself: 1 where there is anything to compare, else NULL
       case when activities > 0 and population > 0 then 1.0 end as lq,
       municipalities_with, municipality_count,
       municipalities_with * 1.0 / nullif(municipality_count, 0) as coverage_muni_share,
       population_with * 1.0 / nullif(population, 0) as coverage_pop_share,
       (activities < 5 or coalesce(population, 0) < 2000) as small_number
from counted
order by activity_type, target_group;
