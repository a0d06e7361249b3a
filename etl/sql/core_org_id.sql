-- _core_org_id (work table): org_key -> org_id, 'O' + 6 digits in (business_id nulls last, normalised name, key)
-- order, so that reruns give the same ids.
create or replace temp table _core_org_id as
select o.org_key, coalesce(n.nn, '') as name_normalised,
       'O' || lpad(cast(row_number() over (order by o.business_id nulls last, coalesce(n.nn, ''), o.org_key)
                        as varchar), 6, '0') as org_id
from _core_org o left join _core_nn n on n.name = o.name
