-- _core_act_rank (work table): each activity's rank within its duplicate group (dup_rank 1 = the richest row: longest
-- description, most codes, best source) and the group's size, on the narrow keys (a window over the wide rows did
-- not spill and ran out of memory under a memory_limit).
create or replace temp table _core_act_rank as
select act_rowid, dup_key,
       row_number() over (partition by dup_key order by (description is not null) desc,
           length(coalesce(description, '')) desc,
           len(coalesce(class_codes, [])) + len(coalesce(target_codes, [])) desc,
           (name_sv is not null) desc, prio, source, source_id, record_ref) as dup_rank,
       count(*) over (partition by dup_key) as dup_rows
from _core_act_grp
