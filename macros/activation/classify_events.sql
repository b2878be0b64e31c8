{#- Every source row, typed, with the reason it cannot be used (null when it
    can) and its rank among the usable copies of its uuid. stg_events keeps
    rank 1 of the usable rows; stg_events_rejected keeps all the others, so
    the two always add up to the source.

    `since`: a timestamp literal; only source rows stamped at or after it are
    read (the incremental batch of stg_events). It is applied before the
    dedupe so that the engine can prune the scan. -#}
{% macro classify_events(since=none) %}
{%- do activation.check_events_columns() -%}
{%- set org_key = var('org_key') -%}
with

source_events as (

    select * from {{ source('posthog', 'events') }}
    {%- if since is not none %}
    where {{ adapter.quote('timestamp') }} >= {{ since }}
    {%- endif %}

),

typed_events as (

    select
        nullif(trim(cast(uuid as {{ dbt.type_string() }})), '') as event_uuid,
        nullif(trim(cast(event as {{ dbt.type_string() }})), '') as event_name,
        cast({{ adapter.quote('timestamp') }} as {{ activation.type_timestamp() }}) as event_at,
        cast(distinct_id as {{ dbt.type_string() }}) as distinct_id,
        {%- if org_key.startswith('properties.') %}
        nullif(trim({{ activation.json_string('properties', org_key[11:]) }}), '') as org_id,
        {%- else %}
        nullif(trim(cast({{ adapter.quote(org_key) }} as {{ dbt.type_string() }})), '') as org_id,
        {%- endif %}
        {#- a row without properties has no properties, which is not an error -#}
        coalesce(cast(properties as {{ dbt.type_string() }}), '{}') as properties
    from source_events

),

classified_events as (

    select
        *,
        case
            when event_uuid is null then 'missing_uuid'
            when event_name is null then 'missing_event_name'
            when event_at is null then 'missing_timestamp'
            when event_at < {{ activation.timestamp_literal(var('min_event_timestamp')) }}
                then 'timestamp_before_min'
            when event_at > {{ activation.timestamp_literal(
                (run_started_at + modules.datetime.timedelta(days=var('max_future_days')))
                .strftime('%Y-%m-%d %H:%M:%S')) }}
                then 'timestamp_in_future'
            when org_id is null then 'missing_organization'
            when not {{ activation.is_json_object('properties') }} then 'properties_not_json_object'
        end as rejection_reason
    from typed_events

),

ranked_events as (

    select
        *,
        {#- Copies of one uuid that differ: the earliest wins, then the rest of
            the row decides, so the winner never depends on load order. -#}
        case when rejection_reason is null then
            row_number() over (
                partition by event_uuid, rejection_reason is null
                order by event_at, event_name, distinct_id, org_id, properties
            )
        end as copy_number
    from classified_events

)

select * from ranked_events
{% endmacro %}
