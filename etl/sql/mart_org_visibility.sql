-- mart_org_visibility: per organisation, where it is visible and a completeness checklist (docs/methods.md).
-- The reference date for "updated within 12 months" is _build_ref.ref_date (set by the build), never the clock.
create or replace table mart_org_visibility as
with ref as (
    select max(ref_date) as ref_date from _build_ref
),
activity_places as (
    select activity_id, count(distinct municipality_code) as municipalities
    from activity_municipality
    group by activity_id
),
activity_groups as (
    select activity_id, bool_or(target_group <> 'kaikki') as has_specific_group
    from activity_target_group
    group by activity_id
),
per_org as (
    select a.org_id,
           count(distinct a.activity_id) as activities,
           avg(case when a.activity_type is not null and a.activity_type <> 'muu' then 1.0 else 0.0 end)
               as types_classified,
           bool_and(coalesce(a.is_national, false) or coalesce(p.municipalities, 0) > 0) as location_known,
           bool_and(len(list_filter(coalesce(a.languages, []), lambda x: x is not null and x <> '')) > 0)
               as languages_known,
           bool_or(coalesce(g.has_specific_group, false)) as target_groups_known,
           max(a.updated_at) as activity_updated_at
    from activity as a
    left join activity_places as p on p.activity_id = a.activity_id
    left join activity_groups as g on g.activity_id = a.activity_id
    group by a.org_id
),
org_places as (
    -- where the organisation is on the map: municipalities and areas of its non-national activities
    select a.org_id,
           count(distinct am.municipality_code) as municipalities,
           count(distinct ar.code) as areas
    from activity as a
    join activity_municipality as am on am.activity_id = a.activity_id
    join municipality as m on m.code = am.municipality_code
    left join area as ar on ar.code = m.area_code
    where not coalesce(a.is_national, false)
    group by a.org_id
)
select o.org_id, o.name, o.business_id, coalesce(o.business_id_valid, false) as business_id_valid, o.sources,
       coalesce(po.activities, 0) as activities,
       coalesce(pl.municipalities, 0) as municipalities,
       coalesce(pl.areas, 0) as areas,
       po.types_classified,
       coalesce(po.location_known, false) as location_known,
       coalesce(po.languages_known, false) as languages_known,
       coalesce(po.target_groups_known, false) as target_groups_known,
       coalesce(greatest(cast(po.activity_updated_at as timestamp), cast(o.updated_at as timestamp))
                >= cast(r.ref_date - interval 365 days as timestamp), false) as updated_within_12m,
       o.home_area_code
from organisation as o
cross join ref as r
left join per_org as po on po.org_id = o.org_id
left join org_places as pl on pl.org_id = o.org_id
order by o.org_id;
