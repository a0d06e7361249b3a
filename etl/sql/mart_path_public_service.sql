-- mart_path_public_service: the public services of a path per mainland municipality and how they reach it:
-- 'place' (a service location there), 'area' (an area-limited service whose area covers it), or once per path with
-- municipality_code NULL, 'national' (a Nationwide / NationwideExceptAlandIslands service). The descriptive columns
-- the page and the referral card show come along (pages read no core table): the service's names, organisation,
-- languages, classes and web address; for 'place' rows the first service location there (by channel id) with its
-- address and phone; the service's first phone channel number (service_phone) on every row.
create or replace table mart_path_public_service as
with reach as (
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
),
place as (
    select service_id, municipality_code,
           arg_min(name, channel_id) as place_name, arg_min(address, channel_id) as address,
           arg_min(phone, channel_id) as phone
    from public_service_place
    where channel_type = 'ServiceLocation'
    group by service_id, municipality_code
),
phone as (
    select service_id, arg_min(phone, channel_id) as service_phone
    from public_service_place
    where channel_type = 'Phone' and phone is not null
    group by service_id
)
select r.path_code, r.service_id, r.municipality_code, r.via,
       s.name_fi, s.name_sv, s.name_en, s.org_source_id, s.org_name, s.org_type, s.languages, s.service_classes,
       s.area_type, s.url,
       case when r.via = 'place' then p.place_name end as place_name,
       case when r.via = 'place' then p.address end as address,
       case when r.via = 'place' then p.phone end as phone,
       ph.service_phone
from reach as r
join public_service as s on s.service_id = r.service_id
left join place as p on p.service_id = r.service_id and p.municipality_code = r.municipality_code
left join phone as ph on ph.service_id = r.service_id
order by r.path_code, r.municipality_code nulls first, r.service_id, r.via;
