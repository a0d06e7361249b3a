-- organisation_source: which source records each organisation was built from.
create or replace table organisation_source as
select distinct i.org_id, r.source, r.source_id
from _core_org_rec r join _core_org_id i using (org_key)
order by 1, 2, 3
