{#- The usable rows of stg_events_classified. The checks there guarantee
    these columns, so they are typed not null. -#}
select
    {{ activation.non_nullable('event_uuid') }} as event_uuid,
    {{ activation.non_nullable('event_name') }} as event_name,
    {{ activation.non_nullable('event_at') }} as event_at,
    distinct_id,
    {{ activation.non_nullable('org_id') }} as org_id,
    {{ activation.non_nullable('properties') }} as properties
from {{ ref('stg_events_classified') }}
where rejection_reason is null
