-- mart_grants_area_year: grants per area and year (area from the grant's `alue` or the organisation's home area).
-- grants and organisations count awarded grants (granted > 0); requested and granted sum all rows of the area.
-- An organisation is its org_id, else its business id, else its normalised name (unmatched grants).
create or replace table mart_grants_area_year as
select area_code, year,
       count(*) filter (where granted > 0) as grants,
       count(distinct case
           when granted > 0 then coalesce(
               'org:' || org_id, 'bid:' || business_id, 'name:' || lower(trim(organisation_name)))
       end) as organisations,
       sum(requested) as requested,
       sum(granted) as granted
from "grant"
where area_code is not null
group by area_code, year
order by area_code, year;
