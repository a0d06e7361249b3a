-- mart_need_supply: need against supply per area. Each need indicator has one period for the whole country (the
-- latest period with a value for any area, or for any mainland municipality for unemployment), so that areas are
-- comparable; an area without a value in that period stays empty. Need: THL total sote need coefficient (country
-- = 1), Diak composite deprivation index 'Huono-osaisuus yhteensä' (median county = 100), TEM unemployed job
-- seekers' share, population-weighted over the area's municipalities. Supply: activities per 10,000 residents
-- ('_all' types and groups). Each indicator has its own threshold and its own quadrant (docs/methods.md):
-- need 1.0, deprivation 100, unemployment the mainland's population-weighted share; supply the national rate.
-- gap_score = need coefficient / (supply rate / national rate). Reads mart_area_metrics and mart_country_metrics.
create or replace temp macro need_quadrant(need, need_threshold, supply, supply_threshold) as
    case
        when need is null or supply is null or supply_threshold is null then null
        when need > need_threshold and supply < supply_threshold then 'high_need_low_supply'
        when need > need_threshold then 'high_need_high_supply'
        when supply < supply_threshold then 'low_need_low_supply'
        else 'low_need_high_supply'
    end;

create or replace table mart_need_supply as
with area_indicator as (
    select n.code as area_code, n.indicator, n.value, n.period
    from need_indicator as n
    join area as a on a.code = n.code
    where n.area_level = 'area' and n.indicator in ('sote_need_coefficient_total', 'Huono-osaisuus yhteensä')
      and n.value is not null
),
area_period as (
    -- one period per indicator for the whole country: the latest that any area has
    select indicator, max(period) as period from area_indicator group by indicator
),
area_value as (
    select v.area_code, v.indicator, v.value, v.period
    from area_indicator as v
    join area_period as p on p.indicator = v.indicator and p.period = v.period
),
mainland_unemployment as (
    select n.code, n.period, n.value, m.area_code, m.population
    from need_indicator as n
    join municipality as m on m.code = n.code
    join area as a on a.code = m.area_code
    where n.area_level = 'municipality' and n.indicator = 'unemployed_jobseekers_share_of_labour_force'
      and n.value is not null
),
unemployment_month as (
    -- the latest month of the mainland ('YYYYMmm' sorts as text)
    select max(period) as period from mainland_unemployment
),
unemployment_by_level as (
    -- population-weighted over the municipalities with a value that month: per area, and the mainland (NULL code);
    -- the products are summed as decimals, so the result does not depend on the order a parallel sum takes
    select u.area_code, sum((u.value * u.population)::decimal(38, 6))::double / nullif(sum(u.population), 0)
               as unemployment
    from mainland_unemployment as u
    join unemployment_month as um on um.period = u.period
    where u.population > 0
    group by grouping sets ((u.area_code), ())
),
national as (
    select rate_per_10k from mart_country_metrics where activity_type = '_all' and target_group = '_all'
),
joined as (
    select a.code as area_code,
           nd.value as need_coefficient,
           try_cast((select period from area_period where indicator = 'sote_need_coefficient_total') as integer)
               as need_year,
           d.value as deprivation_index,
           (select period from area_period where indicator = 'Huono-osaisuus yhteensä') as deprivation_period,
           u.unemployment,
           (select period from unemployment_month) as unemployment_period,
           s.rate_per_10k as supply_rate_per_10k,
           n.rate_per_10k as national_rate_per_10k,
           (select unemployment from unemployment_by_level where area_code is null) as unemployment_threshold
    from area as a
    left join area_value as nd on nd.area_code = a.code and nd.indicator = 'sote_need_coefficient_total'
    left join area_value as d on d.area_code = a.code and d.indicator = 'Huono-osaisuus yhteensä'
    left join unemployment_by_level as u on u.area_code = a.code
    left join mart_area_metrics as s
        on s.area_code = a.code and s.activity_type = '_all' and s.target_group = '_all'
    cross join national as n
)
select area_code, need_coefficient, need_year, deprivation_index, deprivation_period,
       unemployment, unemployment_period, supply_rate_per_10k,
       case when need_coefficient is not null
            then rank() over (order by need_coefficient desc nulls last) end as need_rank,
       case when supply_rate_per_10k is not null
            then rank() over (order by supply_rate_per_10k asc nulls last) end as supply_rank,
       need_coefficient / nullif(supply_rate_per_10k / nullif(national_rate_per_10k, 0), 0) as gap_score,
       need_quadrant(need_coefficient, 1.0, supply_rate_per_10k, national_rate_per_10k) as quadrant,
       -- the thresholds the quadrants are drawn at, and the quadrant by each of the other need indicators
       1.0::double as need_coefficient_threshold,
       100.0::double as deprivation_index_threshold,
       unemployment_threshold,
       national_rate_per_10k as supply_threshold,
       need_quadrant(deprivation_index, 100.0, supply_rate_per_10k, national_rate_per_10k)
           as quadrant_deprivation_index,
       need_quadrant(unemployment, unemployment_threshold, supply_rate_per_10k, national_rate_per_10k)
           as quadrant_unemployment
from joined
order by area_code;
