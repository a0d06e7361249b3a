-- mart_path_nearby: for every mainland municipality, path and organisations stage, the up-to-3 nearest OTHER
-- municipalities with an in-person activity of that path and stage, by straight line between the municipalities'
-- centroids (EPSG:3067 metres, as mart_white_spot), in km rounded to 0.1; ties go to the lower code.
-- At most 292 x 11 x 4 x 3 rows, whatever the scale.
create or replace table mart_path_nearby as
with mainland as (
    select m.code, m.centroid_x, m.centroid_y
    from municipality as m
    join area as a on a.code = m.area_code
    where m.centroid_x is not null and m.centroid_y is not null
),
has as (
    select distinct path_code, stage_code, municipality_code from int_path_org_place
),
pairs as (
    select h.path_code, h.stage_code, m.code as municipality_code, h.municipality_code as nearby_municipality_code,
           sqrt(power(m.centroid_x - n.centroid_x, 2) + power(m.centroid_y - n.centroid_y, 2)) as distance_m
    from has as h
    join mainland as n on n.code = h.municipality_code
    cross join mainland as m
    where m.code <> h.municipality_code
    qualify row_number() over (partition by h.path_code, h.stage_code, m.code
                               order by distance_m, h.municipality_code) <= 3
)
select path_code, stage_code, municipality_code, nearby_municipality_code,
       round(distance_m / 1000.0, 1) as distance_km,
       cast(row_number() over (partition by path_code, stage_code, municipality_code
                               order by distance_m, nearby_municipality_code) as integer) as rank
from pairs
order by path_code, stage_code, municipality_code, rank;
