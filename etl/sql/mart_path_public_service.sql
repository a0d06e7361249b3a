-- mart_path_public_service: the public services of a path per mainland municipality and how they reach it:
-- 'place' (a service location there), 'area' (an area-limited service whose area covers it), or once per path with
-- municipality_code NULL, 'national' (a Nationwide / NationwideExceptAlandIslands service).
create or replace table mart_path_public_service as
select distinct path_code, service_id, municipality_code, 'place' as via
from int_path_public_place
union
select distinct sp.path_code, s.service_id, u.code as municipality_code, 'area' as via
from public_service as s
join public_service_path as sp on sp.service_id = s.service_id
cross join unnest(s.municipality_codes) as u(code)
join municipality as mu on mu.code = u.code
join area as ar on ar.code = mu.area_code
where s.area_type = 'LimitedType'
union
select sp.path_code, s.service_id, null as municipality_code, 'national' as via
from public_service as s
join public_service_path as sp on sp.service_id = s.service_id
where s.area_type in ('Nationwide', 'NationwideExceptAlandIslands')
order by path_code, municipality_code nulls first, service_id, via;
