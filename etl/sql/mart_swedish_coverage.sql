-- mart_swedish_coverage: bilingual and Swedish-speaking mainland municipalities (language status 01, 02, 03):
-- non-national activities offered in Swedish per 10,000 Swedish speakers (latest year of the Swedish-speaking
-- population series in need_indicator, one year for the whole country: the latest that any mainland municipality has;
-- a municipality without a value that year stays empty).
create or replace table mart_swedish_coverage as
with mainland_swedish as (
    select n.code as municipality_code, n.value, n.period
    from need_indicator as n
    join municipality as m on m.code = n.code
    join area as a on a.code = m.area_code
    where n.area_level = 'municipality' and n.indicator = 'swedish_speaking_population' and n.value is not null
),
swedish_year as (
    select max(period) as period from mainland_swedish
),
swedish as (
    select s.municipality_code, s.value
    from mainland_swedish as s
    join swedish_year as y on y.period = s.period
),
offered as (
    select am.municipality_code, count(distinct a.activity_id) as activities_sv
    from activity as a
    join activity_municipality as am on am.activity_id = a.activity_id
    where coalesce(a.offered_in_swedish, false) and not coalesce(a.is_national, false)
    group by am.municipality_code
),
joined as (
    select m.code as municipality_code, m.area_code, m.language_status_code,
           cast(round(s.value) as bigint) as swedish_speakers,
           try_cast((select period from swedish_year) as integer) as swedish_year,
           coalesce(o.activities_sv, 0) as activities_sv
    from municipality as m
    join area as a on a.code = m.area_code
    left join swedish as s on s.municipality_code = m.code
    left join offered as o on o.municipality_code = m.code
    where m.language_status_code in ('01', '02', '03')
)
select municipality_code, area_code, language_status_code, swedish_speakers, swedish_year, activities_sv,
       activities_sv * 10000.0 / nullif(swedish_speakers, 0) as activities_sv_per_10k_swedish,
       (activities_sv < 5 or coalesce(swedish_speakers, 0) < 2000) as small_number
from joined
order by municipality_code;
