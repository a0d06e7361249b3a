-- _core_act_keep (work table): the kept activities with activity_id ('A' + 7 digits in (source, source_id) order),
-- their keyword masks and their code lists joined into one key each (the classification decides per distinct key).
-- Two statements: the number and the masks on the narrow keys first (_core_act_num), then one join onto the wide
-- rows (a window over the wide rows did not spill and ran out of memory under a memory_limit).
create or replace temp table _core_act_num as
select k.act_rowid,
       'A' || lpad(cast(row_number() over (order by k.source, k.source_id, k.record_ref) as varchar), 7, '0')
           as activity_id,
       m.act_mask, m.tg_mask
from _core_act_text k join _core_act_mask m on m.t = k.t;

create or replace temp table _core_act_keep as
select k.* exclude (t, act_rowid), n.activity_id,
       array_to_string(k.all_class_codes, {{ separator }}) as class_key,
       array_to_string(k.all_target_codes, {{ separator }}) as target_key,
       n.act_mask, n.tg_mask
from _core_act_text k join _core_act_num n on n.act_rowid = k.act_rowid;

drop table _core_act_num;
