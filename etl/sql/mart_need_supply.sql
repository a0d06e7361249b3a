-- mart_need_supply: need against supply per area. Need: THL total sote need coefficient (latest year, country = 1),
-- Diak composite deprivation index 'Huono-osaisuus yhteensä' (median area = 100), TEM unemployed job seekers'
-- share, population-weighted over the area's municipalities for the latest month. Supply: activities per 10,000
-- residents ('_all' types and groups). gap_score = need coefficient / (supply rate / national rate).
-- Reads mart_area_metrics and mart_country_metrics.
create or replace table mart_need_supply as
with need as (
    select code as area_code, value, period
    from need_indicator
    where area_level = 'area' and indicator = 'sote_need_coefficient_total' and value is not null
    qualify row_number() over (partition by code order by period desc) = 1
),
deprivation as (
    select code as area_code, value, period
    from need_indicator
    where area_level = 'area' and indicator = 'Huono-osaisuus yhteensä' and value is not null
    qualify row_number() over (partition by code order by period desc) = 1
),
unemployment_month as (
    -- one month for the whole country, so that areas are comparable ('YYYYMmm' sorts as text)
    select max(period) as period
    from need_indicator
    where area_level = 'municipality' and indicator = 'unemployed_jobseekers_share_of_labour_force'
      and value is not null
),
unemployment as (
    select m.area_code,
           sum(n.value * m.population) / nullif(sum(m.population), 0) as unemployment,
           any_value(n.period) as period
    from need_indicator as n
    join unemployment_month as um on um.period = n.period
    join municipality as m on m.code = n.code
    where n.area_level = 'municipality' and n.indicator = 'unemployed_jobseekers_share_of_labour_force'
      and n.value is not null and m.population > 0
    group by m.area_code
),
national as (
    select rate_per_10k from mart_country_metrics where activity_type = '_all' and target_group = '_all'
),
joined as (
    select a.code as area_code,
           nd.value as need_coefficient,
           try_cast(nd.period as integer) as need_year,
           d.value as deprivation_index,
           d.period as deprivation_period,
           u.unemployment,
           u.period as unemployment_period,
           s.rate_per_10k as supply_rate_per_10k,
           n.rate_per_10k as national_rate_per_10k
    from area as a
    left join need as nd on nd.area_code = a.code
    left join deprivation as d on d.area_code = a.code
    left join unemployment as u on u.area_code = a.code
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
       case
           when need_coefficient is null or supply_rate_per_10k is null or national_rate_per_10k is null then null
           when need_coefficient > 1.0 and supply_rate_per_10k < national_rate_per_10k then 'high_need_low_supply'
           when need_coefficient > 1.0 then 'high_need_high_supply'
           when supply_rate_per_10k < national_rate_per_10k then 'low_need_low_supply'
           else 'low_need_high_supply'
       end as quadrant
from joined
order by area_code;
