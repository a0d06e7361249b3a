-- mart_area_metrics: one row per area (22) x activity type (+ '_all') x target group (+ '_all'), the full grid
-- including zero rows (a missing row would hide a white spot). An activity in several municipalities of one area
-- counts once for the area. Counts and rates from int_metric_cells (etl/sql/int_metric_cells.sql); definitions:
-- docs/methods.md.
create or replace table mart_area_metrics as
select r.code as area_code, r.activity_type, r.target_group, r.activities, r.orgs_active, r.orgs_registered,
       r.population, r.band_population,
       r.rate_per_10k, r.orgs_active_per_10k, r.orgs_registered_per_10k, r.rate_per_1k_band, r.lq,
       r.municipalities_with, r.municipality_count, r.coverage_muni_share, r.coverage_pop_share, r.small_number,
       r.small_number_orgs_active, r.small_number_orgs_registered, r.small_number_band
from int_metric_cells as r
where r.level = 'area'
order by area_code, r.activity_type, r.target_group;
