-- mart_path_area: mart_path_municipality rolled up per path x area (22) and for the country ('FI'): municipalities
-- and population by interface status, and the path's need denominator (docs/methods.md, "Service paths"):
-- the population of the path's age band, or for need_denominator 'unemployed' the estimated unemployed job seekers:
-- TEM share of the labour force (%) / 100 x population aged 15-64, summed over mainland municipalities, for one
-- period chosen once for the country: the latest month in the TEM rows of mainland municipalities.
create or replace table mart_path_area as
with mainland as (
    select m.code, m.area_code, m.population, m.pop_0_14, m.pop_15_64, m.pop_65_plus, m.population_date
    from municipality as m
    join area as a on a.code = m.area_code
),
tem_period as (
    select max(n.period) as period
    from need_indicator as n
    join mainland as m on m.code = n.code
    where n.source = 'tem' and n.area_level = 'municipality'
      and n.indicator = 'unemployed_jobseekers_share_of_labour_force'
),
unemployed as (
    select m.code, n.value / 100.0 * m.pop_15_64 as unemployed
    from need_indicator as n
    join tem_period as t on t.period = n.period
    join mainland as m on m.code = n.code
    where n.source = 'tem' and n.area_level = 'municipality'
      and n.indicator = 'unemployed_jobseekers_share_of_labour_force'
),
muni as (
    select m.area_code, m.code, m.population, m.pop_0_14, m.pop_15_64, m.pop_65_plus, u.unemployed
    from mainland as m
    left join unemployed as u on u.code = m.code
),
denominators as (
    select area_code, sum(population) as total, sum(pop_0_14) as age_0_14, sum(pop_15_64) as age_15_64,
           sum(pop_65_plus) as age_65_plus, sum(unemployed) as unemployed
    from muni group by area_code
    union all
    select 'FI', sum(population), sum(pop_0_14), sum(pop_15_64), sum(pop_65_plus), sum(unemployed) from muni
),
by_status as (
    select path_code, area_code, status, population from mart_path_municipality
    union all
    select path_code, 'FI', status, population from mart_path_municipality
),
rolled as (
    select path_code, area_code,
           cast(count(*) as integer) as municipalities,
           cast(count(*) filter (where status = 'both') as integer) as municipalities_both,
           cast(count(*) filter (where status = 'public_only') as integer) as municipalities_public_only,
           cast(count(*) filter (where status = 'organisations_only') as integer) as municipalities_organisations_only,
           cast(count(*) filter (where status = 'neither') as integer) as municipalities_neither,
           cast(coalesce(sum(population) filter (where status = 'both'), 0) as bigint) as population_both,
           cast(coalesce(sum(population) filter (where status = 'public_only'), 0) as bigint) as population_public_only,
           cast(coalesce(sum(population) filter (where status = 'organisations_only'), 0) as bigint)
               as population_organisations_only,
           cast(coalesce(sum(population) filter (where status = 'neither'), 0) as bigint) as population_neither
    from by_status
    group by path_code, area_code
),
population_date as (
    select strftime(max(population_date), '%Y-%m-%d') as period from mainland
)
select r.*, p.need_denominator as denominator_kind,
       cast(case p.need_denominator
           when 'age_65_plus' then d.age_65_plus
           when 'age_0_14' then d.age_0_14
           when 'age_15_64' then d.age_15_64
           when 'unemployed' then round(d.unemployed, 1)
           else d.total end as double) as denominator_value,
       case when p.need_denominator = 'unemployed' then (select period from tem_period)
            else (select period from population_date) end as denominator_period,
       p.need_denominator = 'unemployed' as denominator_is_estimate
from rolled as r
join dim_service_path as p on p.path_code = r.path_code
join denominators as d on d.area_code = r.area_code
order by r.path_code, r.area_code = 'FI', r.area_code;
