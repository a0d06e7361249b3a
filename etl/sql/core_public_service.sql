-- Core tables of the public side of the service paths (issue 10), from the public PTV staging tables
-- (etl/load/ptv.py) and the dimensions of etl/public_services.py. Never read by an organisation mart.

-- public_service: one row per service of a public organisation. A class code that is not in the PTV code list
-- (dim_ptv_service_class) is kept in service_classes_raw and shown as 'unknown' in service_classes; a service
-- with no class at all has service_classes ['unknown'] too. municipality_codes: the served mainland
-- municipalities (area municipalities, counties or maakunnat resolved by code, and the service locations' own
-- municipalities); empty for a nationwide service.
create or replace table public_service as
with cls as (
    select source_id, unnest(class_codes) as code from stg_ptv__public_service
),
mapped as (
    select c.source_id,
           list(distinct coalesce(d.code, 'unknown') order by coalesce(d.code, 'unknown')) as service_classes,
           list(distinct c.code order by c.code) filter (where d.code is null) as unknown_classes
    from cls as c
    left join dim_ptv_service_class as d on d.code = c.code
    group by c.source_id
)
select s.source_id as service_id, s.org_source_id, s.org_name, s.org_type, s.name_fi, s.name_sv, s.name_en,
       coalesce(m.service_classes, ['unknown']) as service_classes,
       coalesce(s.class_codes, []::varchar[]) as service_classes_raw,
       coalesce(m.unknown_classes, []::varchar[]) as unknown_service_classes,
       coalesce(s.languages, []::varchar[]) as languages, s.area_type,
       coalesce(s.municipality_codes, []::varchar[]) as municipality_codes,
       s.url, s.updated_at, 'ptv' as source
from stg_ptv__public_service as s
left join mapped as m on m.source_id = s.source_id
order by s.source_id;
