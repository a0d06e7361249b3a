-- mart_municipality_metrics: one row per mainland municipality (292) x activity type (+ '_all') x target group
-- (+ '_all'), the full grid including zero rows. An activity listed in several municipalities counts in each.
-- Counts and rates from int_metric_cells (etl/sql/int_metric_cells.sql); definitions: docs/methods.md.
create or replace table mart_municipality_metrics as
select r.code as municipality_code, r.area_code, r.activity_type, r.target_group,
       r.activities, r.in_person_activities, r.orgs_active, r.orgs_registered,
       r.population, r.band_population, r.rate_per_10k, r.rate_per_1k_band, r.lq,
       r.small_number, r.small_number_orgs_active, r.small_number_orgs_registered, r.small_number_band
from int_metric_cells as r
where r.level = 'municipality'
order by municipality_code, r.activity_type, r.target_group;
