-- mart_data_gap: organisations known from a grant (STEA) or the registry (YTJ) that list no activity at all.
-- They are a gap in the data, not evidence that no service exists. Area: the registered home area, else the area
-- where the organisation's grants went (the largest granted sum; ties to the lower code), else NULL.
create or replace table mart_data_gap as
with grant_area as (
    select org_id, area_code
    from "grant"
    where org_id is not null and area_code is not null
    group by org_id, area_code
    qualify row_number() over (
        partition by org_id order by coalesce(sum(granted), 0) desc, area_code) = 1
),
grant_total as (
    select org_id, sum(granted) as granted_total
    from "grant"
    where org_id is not null
    group by org_id
)
select coalesce(o.home_area_code, ga.area_code) as area_code,
       o.org_id, o.name, o.business_id,
       array_to_string(list_sort(o.sources), ',') as known_from,
       coalesce(gt.granted_total, 0) as granted_total
from organisation as o
left join grant_area as ga on ga.org_id = o.org_id
left join grant_total as gt on gt.org_id = o.org_id
where (list_contains(o.sources, 'stea') or list_contains(o.sources, 'ytj'))
  and not exists (select 1 from activity as a where a.org_id = o.org_id)
order by area_code, o.org_id;
