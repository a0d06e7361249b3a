-- _core_act_grp (work table): each staged activity linked to its org_id (_core_act_org), with its duplicate key: same
-- organisation, same normalised name, same municipality set and same is_national (an activity without organisation
-- or name is its own group).
create or replace temp table _core_act_grp as
with linked as (
    select a.*, k.org_id,
           trim(regexp_replace(regexp_replace(lower(coalesce(a.name_fi, a.name_sv, a.name_en, '')),
                '[^\pL\pN\s]', ' ', 'g'), '\s+', ' ', 'g')) as name_key,
           array_to_string(list_sort(list_distinct(coalesce(a.municipality_codes, []))), ',') as muni_key,
           {{ source_priority }} as prio
    from _core_act_stg a
    left join _core_act_org k on k.act_rowid = a.act_rowid
)
select *,
       case when org_id is null or name_key = '' then 'U:' || source || '|' || source_id || '|' ||
                 coalesce(record_ref, '')
            else org_id || '|' || name_key || '|' || muni_key || '|' || coalesce(is_national, false)
       end as dup_key
from linked
