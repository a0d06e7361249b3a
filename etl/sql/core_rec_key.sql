-- _core_rec_key (work table): organisation record (source, source_id) -> its organisation key.
create or replace temp table _core_rec_key as
select source, source_id, min(org_key) as org_key from _core_org_rec group by source, source_id
