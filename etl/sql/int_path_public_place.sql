-- int_path_public_place: public service points of a path: the service location channels of the path's public
-- services in mainland municipalities (a nationwide service's offices count where they are)
create or replace table int_path_public_place as
select distinct sp.path_code, pl.channel_id, pl.service_id, pl.municipality_code, mu.area_code
from public_service_path as sp
join public_service_place as pl on pl.service_id = sp.service_id
join municipality as mu on mu.code = pl.municipality_code
join area as ar on ar.code = mu.area_code
where pl.channel_type = 'ServiceLocation';
