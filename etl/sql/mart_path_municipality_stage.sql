-- mart_path_municipality_stage: the path view of one municipality, one row per path x mainland municipality x
-- stage (zeros included): organisations stages count the distinct in-person path activities of the stage's types
-- there; the public stage 'julkinen' holds the path's public service points (public_points).
create or replace table mart_path_municipality_stage as
with org as (
    select path_code, stage_code, municipality_code, count(distinct activity_id) as n
    from int_path_org_place group by path_code, stage_code, municipality_code
)
select pm.path_code, pm.municipality_code, pm.area_code, s.stage_code,
       cast(case when s.side = 'public' then pm.public_points else coalesce(o.n, 0) end as integer) as activities
from mart_path_municipality as pm
cross join dim_path_stage as s
left join org as o
  on o.path_code = pm.path_code and o.stage_code = s.stage_code and o.municipality_code = pm.municipality_code
order by pm.path_code, pm.municipality_code, s.stage_order;
