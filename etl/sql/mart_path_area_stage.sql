-- mart_path_area_stage: the path view of an area (22) or the country ('FI'): per stage, the distinct in-person
-- path activities of the stage in the area's municipalities (an activity in several municipalities counts once),
-- or for 'julkinen' the public service points, and a rate: organisations stages per 10,000 of the path's
-- denominator (mart_path_area.denominator_value), or per 1,000 unemployed job seekers when the denominator is
-- 'unemployed'; 'julkinen' always per 10,000 inhabitants of the path's age band (aged 15-64 for the
-- 'unemployed' denominator). small_number: fewer than 5 or a denominator under 2,000 (docs/methods.md).
create or replace table mart_path_area_stage as
with org as (
    select path_code, stage_code, area_code, count(distinct activity_id) as n
    from int_path_org_place group by path_code, stage_code, area_code
    union all
    select path_code, stage_code, 'FI', count(distinct activity_id)
    from int_path_org_place group by path_code, stage_code
),
points as (
    select path_code, area_code, count(distinct channel_id) as n
    from int_path_public_place group by path_code, area_code
    union all
    select path_code, 'FI', count(distinct channel_id) from int_path_public_place group by path_code
),
band as (
    -- the population behind the public-point rate: the age band; aged 15-64 for the unemployed denominator
    select pa.path_code, pa.area_code,
           case when pa.denominator_kind = 'unemployed' then
                    (select sum(m.pop_15_64) from municipality as m join area as a on a.code = m.area_code
                     where pa.area_code in ('FI', m.area_code))
                else pa.denominator_value end as population
    from mart_path_area as pa
),
grid as (
    select pa.path_code, pa.area_code, s.stage_code, s.stage_order, s.side, pa.denominator_kind,
           cast(case when s.side = 'public' then coalesce(pt.n, 0) else coalesce(o.n, 0) end as integer)
               as activities,
           cast(case when s.side = 'public' then b.population else pa.denominator_value end as double)
               as denominator_value,
           case when s.side = 'organisations' and pa.denominator_kind = 'unemployed' then 'per_1000_unemployed'
                else 'per_10000' end as rate_unit
    from mart_path_area as pa
    cross join dim_path_stage as s
    join band as b on b.path_code = pa.path_code and b.area_code = pa.area_code
    left join org as o on o.path_code = pa.path_code and o.stage_code = s.stage_code and o.area_code = pa.area_code
    left join points as pt on pt.path_code = pa.path_code and pt.area_code = pa.area_code
)
select path_code, area_code, stage_code, activities,
       case when coalesce(denominator_value, 0) > 0
            then activities * (case rate_unit when 'per_1000_unemployed' then 1000.0 else 10000.0 end)
                 / denominator_value end as rate,
       rate_unit, denominator_value,
       (activities < 5 or coalesce(denominator_value, 0) < 2000) as small_number
from grid
order by path_code, area_code = 'FI', area_code, stage_order;
