-- organisation: one row per deduplicated organisation (docs/data-model.md).
create or replace table organisation as
select i.org_id, o.business_id, o.business_id_valid, o.name, i.name_normalised, o.company_form,
       o.home_municipality_code, m.area_code as home_area_code, o.main_business_line, o.website,
       o.sources, o.updated_at, $is_demo as is_demo
from _core_org o join _core_org_id i using (org_key)
left join municipality m on m.code = o.home_municipality_code
order by i.org_id
