-- _core_act_org (work table): each staged activity's org_id (NULL when its organisation record has none), the narrow
-- links core_act_grp.sql joins onto the wide staged rows in one join (the four-table join in one statement held the
-- wide rows in memory and ran out of memory under a memory_limit).
create or replace temp table _core_act_org as
select r.act_rowid, i.org_id
from _core_act_ref r
left join _core_rec_key o on o.source = r.source and o.source_id = r.ref_id
left join _core_org_id i on i.org_key = o.org_key
