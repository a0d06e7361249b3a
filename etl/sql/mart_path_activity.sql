-- mart_path_activity: which organisation activities belong to which service path and stage (docs/methods.md,
-- "Service paths"). An activity is on a path when one of its target groups is one of the path's target groups;
-- its stage is the organisations-side stage that lists its activity type (types 'muu' and 'vaikuttaminen' are in
-- no stage, so such activities are on no path). An activity whose only target group is 'kaikki' (open to all) is
-- listed under every path with open_to_all = true: shown to the counsellor, never counted for a status or rate.
-- Also builds the two intermediate tables the other path marts count from (not read by pages).
create or replace table mart_path_activity as
with stage_type as (
    select stage_code, unnest(activity_types) as activity_type
    from dim_path_stage
    where side = 'organisations'
),
path_group as (
    select path_code, unnest(target_groups) as target_group from dim_service_path
),
on_path as (
    select distinct pg.path_code, t.activity_id, false as open_to_all
    from activity_target_group as t
    join path_group as pg on pg.target_group = t.target_group
),
open_all as (
    select p.path_code, g.activity_id, true as open_to_all
    from (select activity_id, list(distinct target_group) as groups
          from activity_target_group group by activity_id) as g
    cross join dim_service_path as p
    where g.groups = ['kaikki']
)
select m.path_code, st.stage_code, a.activity_id,
       coalesce(a.is_in_person, false) as is_in_person,
       coalesce(a.is_national, false) as is_national,
       m.open_to_all
from (select * from on_path union all select * from open_all) as m
join activity as a on a.activity_id = m.activity_id
join stage_type as st on st.activity_type = a.activity_type
order by m.path_code, st.stage_code, a.activity_id;
