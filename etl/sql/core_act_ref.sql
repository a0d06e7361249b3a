-- _core_act_ref (work table): every staged activity's organisation reference. ref_id is the organisation record the
-- activity points at: its own source's organisation row when one exists, else an "activity-only" record keyed by
-- org_source_id, business id or name.
create or replace temp table _core_act_ref as
select a.act_rowid, a.source, a.org_source_id, a.org_business_id, a.org_name, a.source_id,
       a.municipality_codes,
       case when o.source_id is not null then a.org_source_id
            else coalesce(a.org_source_id, 'bid:' || a.org_business_id, 'name:' || a.org_name) end as ref_id,
       o.source_id is not null as has_org_row
from _core_act_stg a
left join (select distinct source, source_id from _core_org_stg) o
  on o.source = a.source and o.source_id = a.org_source_id
