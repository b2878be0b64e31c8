{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='event_uuid',
    on_schema_change='fail',
    order_by='(event_name, org_id, event_at)',
) }}

{%- set since = activation.late_arrival_cutoff(this, 'event_at') if is_incremental() else none %}

with

classified_events as (

    {{ activation.classify_events(since=since) }}

),

accepted_events as (

    {#- the checks below guarantee these columns, so they are typed not null -#}
    select
        {{ activation.non_nullable('event_uuid') }} as event_uuid,
        {{ activation.non_nullable('event_name') }} as event_name,
        {{ activation.non_nullable('event_at') }} as event_at,
        distinct_id,
        {{ activation.non_nullable('org_id') }} as org_id,
        {{ activation.non_nullable('properties') }} as properties
    from classified_events
    where
        rejection_reason is null
        and copy_number = 1
        {%- if since is not none %}
        {#- A copy kept by an earlier run and older than this batch is earlier
            than every copy in the batch, so it stays the winner. #}
        and event_uuid not in (
            select kept.event_uuid
            from {{ this }} as kept
            where kept.event_at < {{ since }}
        )
        {%- endif %}

)

select * from accepted_events
