-- mart_country_metrics: the whole mainland (area_code 'SSS') per activity type x target group, incl. '_all' totals.
-- Same columns and definitions as mart_area_metrics (see docs/methods.md); the counts and rates come from
-- int_metric_cells (etl/sql/int_metric_cells.sql).
create or replace table mart_country_metrics as
select code as area_code, activity_type, target_group, activities, orgs_active, orgs_registered,
       population, band_population, rate_per_10k, orgs_active_per_10k, orgs_registered_per_10k, rate_per_1k_band,
       -- the country against itself: 1 where there is anything to compare, else NULL
       case when activities > 0 and population > 0 then 1.0 end as lq,
       municipalities_with, cast(municipality_count as integer) as municipality_count,
       coverage_muni_share, coverage_pop_share, small_number,
       small_number_orgs_active, small_number_orgs_registered, small_number_band
from int_metric_cells
where level = 'country'
order by activity_type, target_group;
