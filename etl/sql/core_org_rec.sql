-- _core_org_rec (work table): each organisation record with its normalised name (_core_nn), source priority and
-- grouping key: a valid business id; else the one id-bearing organisation of the same normalised name (or of the
-- same name in the same home municipality); else normalised name + home municipality; else the record itself.
create or replace temp table _core_org_rec as
with rec as (
    select o.*, coalesce(n.nn, '') as nn,
           {{ source_priority }} + case when activity_only then 100 else 0 end as prio
    from _core_org_all o left join _core_nn n on n.name = o.name
),
by_name as (
    select nn, count(distinct business_id) as n, min(business_id) as bid
    from rec where business_id is not null and nn <> '' group by nn
),
by_name_home as (
    select nn, home_municipality_code, count(distinct business_id) as n, min(business_id) as bid
    from rec where business_id is not null and nn <> '' and home_municipality_code is not null
    group by nn, home_municipality_code
)
select rec.*,
       case when rec.business_id is not null then 'B:' || rec.business_id
            when bn.n = 1 then 'B:' || bn.bid
            when bh.n = 1 then 'B:' || bh.bid
            when rec.nn <> '' then 'N:' || rec.nn || '|' || coalesce(rec.home_municipality_code, '')
            else 'R:' || rec.source || '|' || rec.source_id end as org_key
from rec
left join by_name bn on bn.nn = rec.nn
left join by_name_home bh on bh.nn = rec.nn and bh.home_municipality_code = rec.home_municipality_code
