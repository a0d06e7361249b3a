-- public_service_path: a service is on a path when one of its classes is one of the path's public service
-- classes or a child of one (P5.7.1 under P5.7). Matched on the classes as published (service_classes_raw): a
-- sub-class missing from the code list is shown as 'unknown' but still belongs under its parent's path.
create or replace table public_service_path as
with service_class as (
    select service_id, unnest(service_classes_raw) as code from public_service
),
path_class as (
    select path_code, unnest(public_service_classes) as code from dim_service_path
)
select distinct s.service_id, p.path_code
from service_class as s
join path_class as p on s.code = p.code or starts_with(s.code, p.code || '.')
order by s.service_id, p.path_code;
