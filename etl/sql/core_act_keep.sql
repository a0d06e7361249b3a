-- _core_act_keep (work table): the kept activities (the wide rows of _core_act, dup_rank 1) with activity_id and
-- keyword masks (_core_act_num) and their code lists joined into one key each (the classification decides per
-- distinct key).
create or replace temp table _core_act_keep as
select k.* exclude (act_rowid), n.activity_id,
       array_to_string(k.all_class_codes, {{ separator }}) as class_key,
       array_to_string(k.all_target_codes, {{ separator }}) as target_key,
       n.act_mask, n.tg_mask
from _core_act k join _core_act_num n on n.act_rowid = k.act_rowid
where k.dup_rank = 1
