-- _core_act_text (work table): the kept activities (dup_rank 1) with their classification text t, as
-- etl.classify.prepare_text builds it: lowercased names + the description's head, false friends removed.
create or replace temp table _core_act_text as
select *, regexp_replace(lower(concat_ws(' ', name_fi, name_sv, left(description, {{ max_description_chars }}))),
                         {{ guard_pattern }}, ' ', 'g') as t
from _core_act where dup_rank = 1
