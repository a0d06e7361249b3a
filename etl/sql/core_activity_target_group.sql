-- activity_target_group: the target groups of each activity (_core_tg_decision, decided in etl.classify).
create or replace table activity_target_group as
select k.activity_id, d.target_group, d.method, d.confidence
from _core_act_keep k
join _core_tg_decision d on d.target_key = k.target_key and d.tg_mask = k.tg_mask
join dim_target_group g on g.code = d.target_group
order by k.activity_id, g.sort_order
