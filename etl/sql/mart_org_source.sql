-- mart_org_source: which source records make up each organisation (one row per organisation x source record), for
-- the organisation page's "known from" list. Source titles live in _meta_sources (written after the marts), joined
-- at query time.
-- The harmonise step always writes organisation_source; the guard only lets a hand-made core schema without it
-- (the mart unit-test fixture) build an empty mart instead of failing every other mart after this one.
create table if not exists organisation_source (org_id varchar, source varchar, source_id varchar);

create or replace table mart_org_source as
select os.org_id, os.source, os.source_id
from organisation_source as os
order by os.org_id, os.source, os.source_id;
