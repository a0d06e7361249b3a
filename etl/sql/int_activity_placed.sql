-- Intermediate tables shared by the metric marts (area, country, municipality): every activity under its own type
-- and '_all', and under each of its target groups and '_all'; and the non-national ones placed in their mainland
-- municipalities (national reach is reported separately); and the grid axes: every activity type and target group
-- plus '_all' (with the group's population denominator). Built once per build, before the marts.
create or replace table int_metric_types as
select code as activity_type from dim_activity_type
union all
select '_all';

create or replace table int_metric_groups as
select code as target_group, coalesce(population_denominator, 'total') as denominator from dim_target_group
union all
select '_all', 'total';

create or replace temp table int_activity_key as
with activity_type_key as (
    -- each activity counts under its own type and under '_all'
    select activity_id, org_id,
           coalesce(is_in_person, false) as is_in_person,
           coalesce(is_national, false) as is_national,
           unnest([activity_type, '_all']) as activity_type
    from activity
),
activity_group_key as (
    -- ... and under each of its target groups and '_all'
    select distinct activity_id, target_group from activity_target_group
    union
    select activity_id, '_all' from activity
)
select t.activity_id, t.org_id, t.is_in_person, t.is_national, t.activity_type, g.target_group
from activity_type_key as t
join activity_group_key as g on g.activity_id = t.activity_id;

create or replace temp table int_activity_placed as
-- the 292 mainland municipalities are those whose area is one of the 22 areas (Åland '91' is not in `area`). Each
-- (activity, type, group, municipality) once with no distinct: int_activity_key holds each (activity, type, group)
-- once (one activity row per id; the groups a union) and activity_municipality each (activity, municipality) once
select k.activity_id, k.org_id, k.is_in_person, k.activity_type, k.target_group,
       m.code as municipality_code, m.area_code, m.population as municipality_population
from int_activity_key as k
join activity_municipality as am on am.activity_id = k.activity_id
join municipality as m on m.code = am.municipality_code
join area as a on a.code = m.area_code
where not k.is_national;
