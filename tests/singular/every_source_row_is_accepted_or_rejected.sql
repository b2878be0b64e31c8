{#- Reconciliation: every source row of a tracked event (and every row with
    no event name) is in stg_events or in stg_events_rejected, exactly once,
    counted per day of its time. Fails with one row per day whose counts
    differ (the day null: rows with no time), e.g. events that arrived later
    than var('late_arrival_days'): run `dbt build --full-refresh` then.

    Every day, except on the scheduled job's hourly runs (env
    ACTIVATION_CHECKS=recent), which check the days their incremental run
    read again (see checked_since): the same count, exact, for the days the
    run touched. Its --full-checks mode and a --full-refresh check them all. -#}

{%- set since = activation.checked_since() %}

with

source_rows as (

    select {{ activation.source_event_time(source('posthog', 'events')) }} as event_at
    from {{ source('posthog', 'events') }}
    where
        {{ activation.is_tracked_event() }}
        and {{ activation.read_again(adapter.quote('timestamp'), since) }}

),

counted_rows as (

    select
        {{ dbt.date_trunc('day', 'event_at') }} as event_day,
        1 as source_rows,
        0 as accepted_rows,
        0 as rejected_rows
    from source_rows

    union all

    select
        {{ dbt.date_trunc('day', 'event_at') }} as event_day,
        0 as source_rows,
        1 as accepted_rows,
        0 as rejected_rows
    from {{ ref('stg_events') }}
    where {{ activation.read_again('event_at', since) }}

    union all

    select
        {{ dbt.date_trunc('day', 'event_at') }} as event_day,
        0 as source_rows,
        0 as accepted_rows,
        1 as rejected_rows
    from {{ ref('stg_events_rejected') }}
    where {{ activation.read_again('event_at', since) }}

)

select
    event_day,
    sum(source_rows) as source_row_count,
    sum(accepted_rows) as accepted_row_count,
    sum(rejected_rows) as rejected_row_count
from counted_rows
group by event_day
having sum(source_rows) != sum(accepted_rows) + sum(rejected_rows)
