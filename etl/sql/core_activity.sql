-- activity: one row per kept activity, classified (_core_act_decision, decided in etl.classify).
create or replace table activity as
select k.activity_id, k.org_id, k.source, k.source_id, k.name_fi, k.name_sv, k.name_en, k.description,
       d.activity_type, d.type_method, d.type_confidence, k.mode,
       coalesce(k.mode in ('in_person', 'hybrid'), false) as is_in_person,
       coalesce(k.is_national, false) as is_national, k.all_languages as languages,
       list_contains(k.all_languages, 'sv') as offered_in_swedish, k.url, k.updated_at, k.lat, k.lon
from _core_act_keep k
join _core_act_decision d on d.class_key = k.class_key and d.act_mask = k.act_mask
order by k.activity_id
