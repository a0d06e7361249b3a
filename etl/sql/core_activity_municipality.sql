-- activity_municipality: the mainland municipalities of each non-national activity.
create or replace table activity_municipality as
select distinct u.activity_id, m.code as municipality_code, m.area_code
from (select activity_id, unnest(municipality_codes) as code
      from _core_act_keep where not coalesce(is_national, false)) u
join municipality m on m.code = u.code
where m.area_code <> '91'
order by 1, 2
