-- _core_org (work table): one row per organisation key; each attribute from the best-priority record that has it.
create or replace temp table _core_org as
select org_key,
       case when org_key like 'B:%' then substr(org_key, 3) end as business_id,
       case when org_key like 'B:%' then true when bool_or(business_id_raw is not null) then false end
           as business_id_valid,
       first(name order by prio, source_id) filter (where name is not null) as name,
       first(company_form order by prio, source_id) filter (where company_form is not null) as company_form,
       first(home_municipality_code order by prio, source_id)
           filter (where home_municipality_code is not null) as home_municipality_code,
       first(main_business_line order by prio, source_id)
           filter (where main_business_line is not null) as main_business_line,
       first(website order by prio, source_id) filter (where website is not null) as website,
       list_sort(list_distinct(list(source))) as sources,
       max(updated_at) as updated_at
from _core_org_rec group by org_key
