-- mart_activity_list: the activity listings the pages show, one row per activity x municipality where it takes place
-- (an activity without a municipality, e.g. a nationwide online service, has one row with NULL municipality_code and
-- area_code). The organisation's name and business id and the activity's target groups come along, so pages read
-- this mart instead of the core tables activity, activity_municipality, activity_target_group and organisation;
-- org_website is the organisation's own web address, the link a referral list falls back to.
-- The activity columns are picked by name with COLUMNS(...): the descriptive ones (names, url, source, lat/lon) are
-- carried when the activity table has them (the hand-made mart test fixture has only the analytic columns).
-- Two statements: the joins into a work table, then the sort into the mart. In one statement the hash joins and the
-- sort of the wide rows hold memory at once and ran out of memory under a memory_limit; apart, each spills.
create or replace temp table _mart_activity_list_rows as
with act as (
    select columns(c -> c in ('activity_id', 'org_id', 'source', 'source_id', 'name_fi', 'name_sv', 'name_en',
                              'activity_type', 'mode', 'is_in_person', 'is_national', 'languages',
                              'offered_in_swedish', 'url', 'updated_at', 'lat', 'lon'))
    from activity
),
groups as (
    select activity_id, list(target_group order by target_group) as target_groups
    from activity_target_group
    group by activity_id
)
select act.*, o.name as org_name, o.business_id, o.website as org_website, coalesce(g.target_groups, []::varchar[]) as target_groups,
       am.municipality_code, am.area_code
from act
left join organisation as o on o.org_id = act.org_id
left join groups as g on g.activity_id = act.activity_id
left join activity_municipality as am on am.activity_id = act.activity_id;

create or replace table mart_activity_list as
select * from _mart_activity_list_rows order by activity_id, municipality_code;

drop table _mart_activity_list_rows;
