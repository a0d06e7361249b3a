-- public_service_place: every loaded channel of a public service (the service names the channel, or the channel
-- names the service), one row per channel x service. The service location channels (channel_type
-- 'ServiceLocation' with a municipality) are the public service points of the marts; phone and web channels
-- are kept for the referral card.
create or replace table public_service_place as
with links as (
    select source_id as service_id, unnest(channel_ids) as channel_id from stg_ptv__public_service
    union
    select unnest(service_ids) as service_id, source_id as channel_id from stg_ptv__public_channel
)
select c.source_id as channel_id, l.service_id, c.org_source_id, c.channel_type, c.name, c.municipality_code,
       c.lat, c.lon, c.address, c.url, c.phone
from links as l
join stg_ptv__public_channel as c on c.source_id = l.channel_id
join public_service as s on s.service_id = l.service_id
order by c.source_id, l.service_id;
