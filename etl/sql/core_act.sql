-- _core_act (work table): the activities ranked within their duplicate group (dup_rank 1 = the richest row:
-- longest description, most codes, best source) with the group's codes and languages unioned. The rank and the lists
-- come from the narrow work tables (core_act_rank.sql, core_act_list.sql), joined onto the wide rows once: a window
-- over the wide rows, or the wide rows probing two hash joins at once, did not spill under a memory_limit.
create or replace temp table _core_act as
select g.*, k.dup_rank,
       case when k.dup_rows = 1 then list_sort(list_distinct(coalesce(g.class_codes, [])))
            else k.all_class_codes end as all_class_codes,
       case when k.dup_rows = 1 then list_sort(list_distinct(coalesce(g.target_codes, [])))
            else k.all_target_codes end as all_target_codes,
       case when k.dup_rows = 1 then list_sort(list_distinct(coalesce(g.languages, [])))
            else k.all_languages end as all_languages
from _core_act_grp g join _core_act_list k on k.act_rowid = g.act_rowid
