{#- A table, not a view: the reconciliation and column tests read it, and a
    view would classify the whole source again for each of them. -#}
{{ config(materialized='table') }}

with

classified_events as (

    {{ activation.classify_events() }}

),

rejected_events as (

    select
        event_uuid,
        event_name,
        event_at,
        distinct_id,
        org_id,
        properties,
        coalesce(rejection_reason, 'duplicate_uuid') as rejection_reason
    from classified_events
    where rejection_reason is not null or copy_number > 1

)

select * from rejected_events
