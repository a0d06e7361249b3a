-- _core_act_text (work table): the kept activities (dup_rank 1) with their classification text t, as
-- etl.classify.prepare_text builds it: lowercased names + the description's head, false friends removed. Narrow (the
-- row, its numbering keys and t): core_act_keep.sql joins the keys back onto the wide rows of _core_act once (a copy
-- of the wide rows here took 10 s at demo scale 100).
create or replace temp table _core_act_text as
select act_rowid, source, source_id, record_ref,
       regexp_replace(lower(concat_ws(' ', name_fi, name_sv, left(description, {{ max_description_chars }}))),
                      {{ guard_pattern }}, ' ', 'g') as t
from _core_act where dup_rank = 1
