{#- One row: the time the maturity flags are judged at: var('as_of') when
    given, else the latest event of the source with a usable time (not null,
    not before var('min_event_timestamp'), not more than var('max_future_days')
    ahead), whether or not a model reads that event: the clock is how far the
    data goes. Only the source rows from stg_events_classified's latest
    accepted event less the look-back are scanned: the latest usable event is
    never before that. -#}
-- depends_on: {{ ref('stg_events') }}
-- depends_on: {{ ref('stg_events_classified') }}
{#- it reads the source itself: the same checks as the staging (columns, UTC
    times), unless the staging runs them in this run already -#}
{%- if execute and not activation.all_in_run(['stg_events_classified']) %}
    {%- do activation.check_events_columns() %}
{%- endif %}
{%- set as_of = activation.timestamp_literal(var('as_of')) if var('as_of') else 'null' %}
{#- none (scan everything) when compiling without the staging built (lint, docs) -#}
{%- set classified = load_relation(ref('stg_events_classified')) if execute else none %}
{%- set since = activation.accepted_events_cutoff(classified) if classified is not none else none %}

with

source_times as (

    select {{ activation.source_event_time(source('posthog', 'events')) }} as event_at
    from {{ source('posthog', 'events') }}
    {%- if since is not none %}
    where {{ adapter.quote('timestamp') }} >= {{ since }}
    {%- endif %}

)

select coalesce({{ as_of }}, max(event_at)) as as_of
from source_times
where
    event_at >= {{ activation.timestamp_literal(var('min_event_timestamp')) }}
    and event_at <= {{ activation.latest_usable_time() }}
