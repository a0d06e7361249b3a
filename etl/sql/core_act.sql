-- _core_act (work table): the activities ranked within their duplicate group (dup_rank 1 = the richest row:
-- longest description, most codes, best source) with the group's codes and languages unioned. The lists come from
-- a grouped aggregate (cheaper than three list windows).
-- Two statements: the rank and the lists on the narrow keys first (_core_act_rank), then one join onto the wide rows.
-- A window over the wide rows, or the wide rows probing two hash joins at once, did not spill and ran out of memory
-- under a memory_limit.
create or replace temp table _core_act_rank as
with lists as (
    select dup_key,
           list_sort(list_distinct(flatten(list(coalesce(class_codes, []))))) as all_class_codes,
           list_sort(list_distinct(flatten(list(coalesce(target_codes, []))))) as all_target_codes,
           list_sort(list_distinct(flatten(list(coalesce(languages, []))))) as all_languages
    from _core_act_grp group by dup_key
),
ranked as (
    select act_rowid, dup_key,
           row_number() over (partition by dup_key order by (description is not null) desc,
               length(coalesce(description, '')) desc,
               len(coalesce(class_codes, [])) + len(coalesce(target_codes, [])) desc,
               (name_sv is not null) desc, prio, source, source_id, record_ref) as dup_rank
    from _core_act_grp
)
select r.act_rowid, r.dup_rank, l.all_class_codes, l.all_target_codes, l.all_languages
from ranked r join lists l on l.dup_key is not distinct from r.dup_key;

create or replace temp table _core_act as
select g.*, k.dup_rank, k.all_class_codes, k.all_target_codes, k.all_languages
from _core_act_grp g join _core_act_rank k on k.act_rowid = g.act_rowid;

drop table _core_act_rank;
