-- int_path_org_place (after mart_path_activity): in-person, local, path-specific activities in their mainland
-- municipalities: what the statuses and rates count
create or replace temp table int_path_org_place as
select distinct pa.path_code, pa.stage_code, pa.activity_id, am.municipality_code, mu.area_code
from mart_path_activity as pa
join activity_municipality as am on am.activity_id = pa.activity_id
join municipality as mu on mu.code = am.municipality_code
join area as ar on ar.code = mu.area_code
where pa.is_in_person and not pa.is_national and not pa.open_to_all;
