-- mart_national_reach: nationwide activities (is_national: online/phone services not spread over municipalities)
-- per activity type and '_all'. Zero rows kept for every type.
create or replace table mart_national_reach as
with types as (select * from int_metric_types),              -- etl/sql/int_activity_placed.sql
national as (
    select activity_id, org_id, unnest([activity_type, '_all']) as activity_type
    from activity
    where coalesce(is_national, false)
)
select t.activity_type,
       count(distinct n.activity_id) as activities,
       count(distinct n.org_id) as organisations
from types as t
left join national as n on n.activity_type = t.activity_type
group by t.activity_type
order by t.activity_type;
