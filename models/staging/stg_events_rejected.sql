{#- Every source row stg_events does not keep, with the reason. -#}
select
    event_uuid,
    event_name,
    event_at,
    distinct_id,
    org_id,
    properties,
    rejection_reason
from {{ ref('stg_events_classified') }}
where rejection_reason is not null
