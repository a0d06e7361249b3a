-- grant: one row per STEA grant. org_id by valid business id, else by normalised organisation name when it names
-- exactly one organisation (and the grant's valid id does not differ from it); area from area_text (_core_area_text),
-- else the organisation's home area.
create or replace table "grant" as
with org_by_name as (
    select r.nn, min(i.org_id) as org_id, min(o.business_id) as business_id
    from _core_org_rec r join _core_org_id i using (org_key) join _core_org o using (org_key)
    where r.nn <> ''
    group by r.nn having count(distinct i.org_id) = 1
),
g as (
    -- by business id; by name unless the grant's valid id differs from the named organisation's id
    select s.*, coalesce(ob.org_id, case when s.business_id is null or s.business_id_valid is false
                                              or onm.business_id is null then onm.org_id end) as org_id
    from _core_grant_stg s
    -- the key is NULL for an invalid id (no match): one equality, so a hash join, not a nested loop
    left join organisation ob
      on ob.business_id = case when s.business_id_valid is not false then s.business_id end
     and ob.business_id_valid
    left join _core_nn n on n.name = s.organisation_name
    left join org_by_name onm on onm.nn = n.nn
)
select 'G' || lpad(cast(row_number() over (order by g.year, g.business_id, g.organisation_name, g.purpose,
                        g.grant_type, g.file, g.record_ref) as varchar), 7, '0') as grant_id,
       g.org_id, g.business_id, g.organisation_name, g.year, g.purpose, g.grant_type, g.area_text,
       case when a.is_national then null when a.area_code is not null then a.area_code
            else o.home_area_code end as area_code,
       case when a.is_national then null when a.area_code is not null then 'alue'
            when o.home_area_code is not null then 'home' end as area_method,
       g.requested, g.proposed, g.granted
from g
left join _core_area_text a on a.area_text = g.area_text
left join organisation o on o.org_id = g.org_id
order by grant_id
