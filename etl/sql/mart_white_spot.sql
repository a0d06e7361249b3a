-- mart_white_spot: for each activity type (except the unclassified 'muu') every mainland municipality with no
-- in-person activity of that type; the nearest municipality that has one, by straight line between the
-- municipalities' centroids (EPSG:3067 metres), in km rounded to 0.1. Nearest is NULL when no municipality in the
-- country has the type (or a centroid is missing). Ties on distance go to the lower municipality code.
create or replace table mart_white_spot as
with mainland as (
    select m.code, m.area_code, m.population, m.centroid_x, m.centroid_y
    from municipality as m
    join area as a on a.code = m.area_code
),
types as (
    select code as activity_type from dim_activity_type where code <> 'muu'
),
has_type as (
    select distinct a.activity_type, am.municipality_code
    from activity as a
    join activity_municipality as am on am.activity_id = a.activity_id
    join mainland as m on m.code = am.municipality_code
    where coalesce(a.is_in_person, false) and not coalesce(a.is_national, false)
),
spots as (
    select t.activity_type, m.code, m.area_code, m.population, m.centroid_x, m.centroid_y
    from types as t
    cross join mainland as m
    where not exists (
        select 1 from has_type as h where h.activity_type = t.activity_type and h.municipality_code = m.code
    )
),
nearest as (
    select s.activity_type, s.code, n.code as nearest_code,
           sqrt(power(s.centroid_x - n.centroid_x, 2) + power(s.centroid_y - n.centroid_y, 2)) as distance_m
    from spots as s
    join has_type as h on h.activity_type = s.activity_type
    join mainland as n on n.code = h.municipality_code
    where s.centroid_x is not null and s.centroid_y is not null
      and n.centroid_x is not null and n.centroid_y is not null
    qualify row_number() over (partition by s.activity_type, s.code order by distance_m, n.code) = 1
)
select s.activity_type, s.code as municipality_code, s.area_code, s.population,
       n.nearest_code as nearest_municipality_code,
       round(n.distance_m / 1000.0, 1) as distance_km
from spots as s
left join nearest as n on n.activity_type = s.activity_type and n.code = s.code
order by s.activity_type, s.code;
