-- _core_act_list (work table): each activity's rank (_core_act_rank) and, in a duplicate group of two or more rows,
-- the group's codes and languages unioned (NULL for a one-row group: its lists are its own row's, see core_act.sql).
-- Aggregated only over the groups that need it: a list() over every activity did not spill and ran out of memory
-- under a memory_limit.
create or replace temp table _core_act_list as
with lists as (
    select g.dup_key,
           list_sort(list_distinct(flatten(list(coalesce(g.class_codes, []))))) as all_class_codes,
           list_sort(list_distinct(flatten(list(coalesce(g.target_codes, []))))) as all_target_codes,
           list_sort(list_distinct(flatten(list(coalesce(g.languages, []))))) as all_languages
    from _core_act_grp g
    join (select distinct dup_key from _core_act_rank where dup_rows > 1) m on m.dup_key is not distinct from g.dup_key
    group by g.dup_key
)
select r.act_rowid, r.dup_rank, r.dup_rows, l.all_class_codes, l.all_target_codes, l.all_languages
from _core_act_rank r left join lists l on l.dup_key is not distinct from r.dup_key
