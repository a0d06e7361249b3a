-- mart_path_nearby: for every mainland municipality, path and organisations stage, the up-to-3 nearest OTHER
-- municipalities with an in-person activity of that path and stage, by straight line between the municipalities'
-- centroids (EPSG:3067 metres, as mart_white_spot), in km rounded to 0.1; ties go to the lower code.
-- At most 292 x 11 x 4 x 3 rows, whatever the scale.
-- Top 3 per municipality by min_by over (distance, code), not a window over every pair (a third of the CPU).
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
top3 as (
    select h.path_code, h.stage_code, m.code as municipality_code,
           min_by({'code': h.municipality_code,
                   'd': sqrt(power(m.centroid_x - n.centroid_x, 2) + power(m.centroid_y - n.centroid_y, 2))},
                  {'d': sqrt(power(m.centroid_x - n.centroid_x, 2) + power(m.centroid_y - n.centroid_y, 2)),
                   'code': h.municipality_code}, 3) as nearest
    from has as h
    join mainland as n on n.code = h.municipality_code
    cross join mainland as m
    where m.code <> h.municipality_code
    group by h.path_code, h.stage_code, m.code
)
select path_code, stage_code, municipality_code, u.nearest.code as nearby_municipality_code,
       round(u.nearest.d / 1000.0, 1) as distance_km, cast(u.rank as integer) as rank
from top3, unnest(nearest) with ordinality as u(nearest, rank)
order by path_code, stage_code, municipality_code, rank;
