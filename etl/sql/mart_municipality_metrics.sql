-- mart_municipality_metrics: one row per mainland municipality (292) x activity type (+ '_all') x target group
-- (+ '_all'), the full grid including zero rows. An activity listed in several municipalities counts in each.
-- Definitions: docs/methods.md. Reads mart_country_metrics for the location quotient.
create or replace table mart_municipality_metrics as
with types as (select * from int_metric_types),              -- etl/sql/int_activity_placed.sql
target_groups as (select * from int_metric_groups),
mainland as (
    select m.code, m.area_code, m.population, m.pop_0_14, m.pop_15_64, m.pop_65_plus
    from municipality as m
    join area as a on a.code = m.area_code
),
activity_key as (select * from int_activity_key),        -- etl/sql/int_activity_placed.sql
placed as (select * from int_activity_placed),
supply as (
    select municipality_code, activity_type, target_group,
           count(distinct activity_id) as activities,
           count(distinct activity_id) filter (where is_in_person) as in_person_activities,
           count(distinct org_id) as orgs_active
    from placed
    group by municipality_code, activity_type, target_group
),
registered as (
    -- organisations registered in the municipality with >= 1 activity of the type/group anywhere (national
    -- included); '_all'/'_all' counts every organisation registered there
    select o.home_municipality_code as municipality_code, k.activity_type, k.target_group,
           count(distinct k.org_id) as orgs_registered
    from activity_key as k
    join organisation as o on o.org_id = k.org_id
    where o.home_municipality_code is not null
      and not (k.activity_type = '_all' and k.target_group = '_all')
    group by o.home_municipality_code, k.activity_type, k.target_group
    union all
    select home_municipality_code, '_all', '_all', count(distinct org_id)
    from organisation
    where home_municipality_code is not null
    group by home_municipality_code
),
grid as (
    select m.code as municipality_code, m.area_code, t.activity_type, g.target_group,
           m.population,
           case g.denominator
               when 'age_65_plus' then m.pop_65_plus
               when 'age_0_14' then m.pop_0_14
               when 'age_15_64' then m.pop_15_64
               else m.population
           end as band_population
    from mainland as m
    cross join types as t
    cross join target_groups as g
),
rated as (
    select g.municipality_code, g.area_code, g.activity_type, g.target_group,
           coalesce(s.activities, 0) as activities,
           coalesce(s.in_person_activities, 0) as in_person_activities,
           coalesce(s.orgs_active, 0) as orgs_active,
           coalesce(r.orgs_registered, 0) as orgs_registered,
           g.population, g.band_population,
           coalesce(s.activities, 0) * 10000.0 / nullif(g.population, 0) as rate_per_10k,
           coalesce(s.activities, 0) * 1000.0 / nullif(g.band_population, 0) as rate_per_1k_band
    from grid as g
    left join supply as s
        on s.municipality_code = g.municipality_code and s.activity_type = g.activity_type
       and s.target_group = g.target_group
    left join registered as r
        on r.municipality_code = g.municipality_code and r.activity_type = g.activity_type
       and r.target_group = g.target_group
)
select r.municipality_code, r.area_code, r.activity_type, r.target_group,
       r.activities, r.in_person_activities, r.orgs_active, r.orgs_registered,
       r.population, r.band_population, r.rate_per_10k, r.rate_per_1k_band,
       r.rate_per_10k / nullif(n.rate_per_10k, 0) as lq,
       (r.activities < 5 or coalesce(r.population, 0) < 2000) as small_number
from rated as r
left join mart_country_metrics as n on n.activity_type = r.activity_type and n.target_group = r.target_group
order by r.municipality_code, r.activity_type, r.target_group;
