{#- Reconciliation: every source row of a tracked event (and every row with
    no event name) is in stg_events or in stg_events_rejected, exactly once.
    Fails (one row with the counts) when rows are lost or double counted,
    e.g. events that arrived later than var('late_arrival_days'): run
    `dbt build --full-refresh` then. -#}

with

source_rows as (

    select count(*) as row_count
    from {{ source('posthog', 'events') }}
    where {{ activation.is_tracked_event() }}

),

accepted_rows as (

    select count(*) as row_count from {{ ref('stg_events') }}

),

rejected_rows as (

    select count(*) as row_count from {{ ref('stg_events_rejected') }}

)

select
    source_rows.row_count as source_row_count,
    accepted_rows.row_count as accepted_row_count,
    rejected_rows.row_count as rejected_row_count
from source_rows
cross join accepted_rows
cross join rejected_rows
where source_rows.row_count != accepted_rows.row_count + rejected_rows.row_count
