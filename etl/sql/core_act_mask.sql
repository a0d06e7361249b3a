-- _core_act_mask (work table): the keyword bit masks (activity types, target groups) once per distinct text, not
-- once per activity (listings repeat their texts).
create or replace temp table _core_act_mask as
select t, {{ activity_mask }} as act_mask, {{ target_mask }} as tg_mask
from (select distinct t from _core_act_text)
