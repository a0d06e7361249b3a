-- _core_org_all (work table): every organisation record - the staging rows plus one activity-only record per
-- (source, ref_id) whose business id (validated in _core_bid), name and home municipality come from its first
-- activity by source_id.
create or replace temp table _core_org_all as
select source, source_id, case when business_id_valid is not false then business_id end as business_id,
       nullif(trim(business_id_raw), '') as business_id_raw, name, company_form, home_municipality_code,
       main_business_line, website, updated_at, false as activity_only
from _core_org_stg
union all
select r.source, r.ref_id, first(b.bid order by r.source_id) filter (where b.bid is not null),
       first(r.org_business_id order by r.source_id) filter (where r.org_business_id is not null),
       first(r.org_name order by r.source_id) filter (where r.org_name is not null), null,
       first(r.municipality_codes[1] order by r.source_id) filter (where len(r.municipality_codes) > 0),
       null, null, null, true
from _core_act_ref r left join _core_bid b on b.raw = r.org_business_id
where not r.has_org_row and r.ref_id is not null
group by r.source, r.ref_id
