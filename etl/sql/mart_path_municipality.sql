-- mart_path_municipality: one row per service path x mainland municipality (11 x 292) with the interface status
-- (docs/methods.md, "Service paths"): the public side is present when the path has a public service point in the
-- municipality or an area-limited public service covering it (nationwide public services are shown beside, as
-- public_national, and never make a municipality "public"); the organisation side when there is an in-person
-- organisation activity of the path (any organisations stage; open-to-all-only activities excluded).
-- For 'public_only' the nearest other municipality with such an activity, by straight line between centroids
-- (EPSG:3067 metres, as mart_white_spot), in km rounded to 0.1; ties go to the lower municipality code.
create or replace table mart_path_municipality as
with mainland as (
    select m.code, m.area_code, m.name_fi, m.name_sv, m.population, m.centroid_x, m.centroid_y
    from municipality as m
    join area as a on a.code = m.area_code
),
points as (
    select path_code, municipality_code, count(distinct channel_id) as n
    from int_path_public_place group by path_code, municipality_code
),
covering as (
    select path_code, municipality_code, count(distinct service_id) as n
    from mart_path_public_service where via = 'area' group by path_code, municipality_code
),
public_national as (
    select path_code, count(distinct service_id) as n
    from mart_path_public_service where via = 'national' group by path_code
),
org as (
    select path_code, municipality_code, count(distinct activity_id) as n
    from int_path_org_place group by path_code, municipality_code
),
org_national as (
    select path_code, count(distinct activity_id) as n
    from mart_path_activity where is_national and not open_to_all group by path_code
),
base as (
    select p.path_code, m.code as municipality_code, m.area_code, m.name_fi as municipality_name_fi,
           m.name_sv as municipality_name_sv, m.population, m.centroid_x, m.centroid_y,
           cast(coalesce(pt.n, 0) as integer) as public_points,
           cast(coalesce(cv.n, 0) as integer) as public_services_covering,
           cast(coalesce(pn.n, 0) as integer) as public_national,
           cast(coalesce(o.n, 0) as integer) as org_in_person,
           cast(coalesce(onat.n, 0) as integer) as org_national
    from dim_service_path as p
    cross join mainland as m
    left join points as pt on pt.path_code = p.path_code and pt.municipality_code = m.code
    left join covering as cv on cv.path_code = p.path_code and cv.municipality_code = m.code
    left join public_national as pn on pn.path_code = p.path_code
    left join org as o on o.path_code = p.path_code and o.municipality_code = m.code
    left join org_national as onat on onat.path_code = p.path_code
),
classified as (
    select *,
           case when public_points + public_services_covering > 0 and org_in_person > 0 then 'both'
                when public_points + public_services_covering > 0 then 'public_only'
                when org_in_person > 0 then 'organisations_only'
                else 'neither' end as status
    from base
),
nearest as (
    select c.path_code, c.municipality_code, n.municipality_code as nearest_code,
           sqrt(power(c.centroid_x - n.centroid_x, 2) + power(c.centroid_y - n.centroid_y, 2)) as distance_m
    from classified as c
    join classified as n
      on n.path_code = c.path_code and n.org_in_person > 0 and n.municipality_code <> c.municipality_code
    where c.status = 'public_only'
      and c.centroid_x is not null and c.centroid_y is not null
      and n.centroid_x is not null and n.centroid_y is not null
    qualify row_number() over (partition by c.path_code, c.municipality_code
                               order by distance_m, n.municipality_code) = 1
)
select c.path_code, c.municipality_code, c.area_code, c.municipality_name_fi, c.municipality_name_sv,
       c.population, c.public_points, c.public_services_covering, c.public_national, c.org_in_person,
       c.org_national, c.status,
       n.nearest_code as nearest_org_municipality_code,
       round(n.distance_m / 1000.0, 1) as nearest_org_distance_km
from classified as c
left join nearest as n on n.path_code = c.path_code and n.municipality_code = c.municipality_code
order by c.path_code, c.municipality_code;
