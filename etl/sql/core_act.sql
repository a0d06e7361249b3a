-- _core_act (work table): the activities ranked within their duplicate group (dup_rank 1 = the richest row:
-- longest description, most codes, best source) with the group's codes and languages unioned. The lists come from
-- a grouped aggregate (cheaper than three list windows).
create or replace temp table _core_act as
with lists as (
    select dup_key,
           list_sort(list_distinct(flatten(list(coalesce(class_codes, []))))) as all_class_codes,
           list_sort(list_distinct(flatten(list(coalesce(target_codes, []))))) as all_target_codes,
           list_sort(list_distinct(flatten(list(coalesce(languages, []))))) as all_languages
    from _core_act_grp group by dup_key
)
select g.* exclude (act_rowid),
       row_number() over (partition by g.dup_key order by (g.description is not null) desc,
           length(coalesce(g.description, '')) desc,
           len(coalesce(g.class_codes, [])) + len(coalesce(g.target_codes, [])) desc,
           (g.name_sv is not null) desc, g.prio, g.source, g.source_id, g.record_ref) as dup_rank,
       l.all_class_codes, l.all_target_codes, l.all_languages
from _core_act_grp g join lists l on l.dup_key is not distinct from g.dup_key
