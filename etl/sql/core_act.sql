-- _core_act (work table): the activities ranked within their duplicate group (dup_rank 1 = the richest row:
-- longest description, most codes, best source) with the group's codes and languages unioned.
-- Built to spill under a memory_limit: the rank on the narrow keys first (_core_act_rank), the unioned lists
-- aggregated only for the groups of two or more rows (a one-row group's lists are its own row's: _core_act_list),
-- then one join onto the wide rows. A window over the wide rows, the wide rows probing two hash joins at once and a
-- list() aggregate over every activity did not spill and ran out of memory under a limit.
create or replace temp table _core_act_rank as
select act_rowid, dup_key,
       row_number() over (partition by dup_key order by (description is not null) desc,
           length(coalesce(description, '')) desc,
           len(coalesce(class_codes, [])) + len(coalesce(target_codes, [])) desc,
           (name_sv is not null) desc, prio, source, source_id, record_ref) as dup_rank,
       count(*) over (partition by dup_key) as dup_rows
from _core_act_grp;

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
from _core_act_rank r left join lists l on l.dup_key is not distinct from r.dup_key;

create or replace temp table _core_act as
select g.*, k.dup_rank,
       case when k.dup_rows = 1 then list_sort(list_distinct(coalesce(g.class_codes, [])))
            else k.all_class_codes end as all_class_codes,
       case when k.dup_rows = 1 then list_sort(list_distinct(coalesce(g.target_codes, [])))
            else k.all_target_codes end as all_target_codes,
       case when k.dup_rows = 1 then list_sort(list_distinct(coalesce(g.languages, [])))
            else k.all_languages end as all_languages
from _core_act_grp g join _core_act_list k on k.act_rowid = g.act_rowid;

drop table _core_act_rank;
drop table _core_act_list;
