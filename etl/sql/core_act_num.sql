-- _core_act_num (work table): each kept activity's activity_id ('A' + 7 digits in (source, source_id) order) and its
-- keyword masks, on the narrow keys (a window over the wide rows did not spill and ran out of memory under a
-- memory_limit); core_act_keep.sql joins them onto the wide rows.
create or replace temp table _core_act_num as
select k.act_rowid,
       'A' || lpad(cast(row_number() over (order by k.source, k.source_id, k.record_ref) as varchar), 7, '0')
           as activity_id,
       m.act_mask, m.tg_mask
from _core_act_text k join _core_act_mask m on m.t = k.t
