{#- Every source row of a tracked event (see tracked_events), typed, with
    the reason it cannot be used (null when it can) and its rank among the
    usable copies of its uuid (null for unusable rows). stg_events_classified
    keeps every such row, marking ranks above 1 as duplicates, so that
    accepted and rejected rows always add up to the tracked source rows.

    `since`: a timestamp literal; only the source rows an incremental run reads
    again are read (see read_again), a filter the engine prunes the scan with.

    How the copies are ranked is up to the engine: see ranked_copies. -#}
{% macro classify_events(since=none) %}
{%- do activation.check_events_columns() -%}
with

source_rows as (

    {{ activation.classified_rows(since) }}

),

{{ activation.ranked_copies('source_rows') }}
{% endmacro %}


{#- CTEs then a select: the rows of the CTE `rows` (from classified_rows),
    each with `copy_number`, its rank among the usable copies of its uuid
    (null for unusable rows). The earliest copy wins, then the rest of the row
    decides, so the winner never depends on load order.

    By default only the copies of uuids seen more than once are ranked, so
    that the other rows need no sort: DuckDB holds the tracked rows (a small
    share of the source) once in memory for the three parts. -#}
{% macro ranked_copies(rows) %}
    {{- return(adapter.dispatch('ranked_copies', 'activation')(rows)) -}}
{% endmacro %}

{% macro default__ranked_copies(rows) %}
repeated_uuids as (

    select event_uuid
    from {{ rows }}
    where event_uuid is not null
    group by event_uuid
    having count(*) > 1

),

single_copies as (

    select
        *,
        case when rejection_reason is null then 1 end as copy_number
    from {{ rows }}
    where event_uuid is null or event_uuid not in (select repeated_uuids.event_uuid from repeated_uuids)

),

repeated_copies as (

    select
        *,
        {{ activation.copy_number() }} as copy_number
    from {{ rows }}
    where event_uuid in (select repeated_uuids.event_uuid from repeated_uuids)

)

select * from single_copies
union all
select * from repeated_copies
{% endmacro %}


{#- ClickHouse reads the source once per reference to a CTE, so one window
    over every tracked row costs less than three reads (10M events: 1.4 s vs
    2.5 s, measured). -#}
{% macro clickhouse__ranked_copies(rows) %}
ranked_rows as (

    select
        *,
        {{ activation.copy_number() }} as copy_number
    from {{ rows }}

)

select * from ranked_rows
{% endmacro %}


{#- A usable row's rank among the usable copies of its uuid; null for an
    unusable row. -#}
{% macro copy_number() -%}
    case when rejection_reason is null then
        row_number() over (
            partition by event_uuid, rejection_reason is null
            order by event_at, event_name, distinct_id, org_id, properties
        )
    end
{%- endmacro %}


{#- A select of the source rows of tracked events (those read again since
    `since`), typed, with the reason each cannot be used, or null. The
    engines compute only the columns a caller uses. -#}
{% macro classified_rows(since) %}
{#- a row without properties has no properties, which is not an error -#}
{%- set properties_text = "coalesce(cast(properties as " ~ dbt.type_string() ~ "), '{}')" -%}
select
    *,
    case
        when event_uuid is null then 'missing_uuid'
        when event_name is null then 'missing_event_name'
        when event_at is null then 'missing_timestamp'
        when event_at < {{ activation.timestamp_literal(var('min_event_timestamp')) }}
            then 'timestamp_before_min'
        when event_at > {{ activation.latest_usable_time() }} then 'timestamp_in_future'
        when org_id is null then 'missing_organization'
        {%- set excluded = activation.excluded_organizations_relation() %}
        {%- if excluded is not none %}
        when org_id in (select excluded.org_id from {{ excluded }} as excluded) then 'excluded_organization'
        {%- endif %}
        when not {{ activation.is_json_object('properties') }} then 'properties_not_json_object'
    end as rejection_reason
from (
    select
        nullif({{ activation.trim_spaces('cast(uuid as ' ~ dbt.type_string() ~ ')') }}, '') as event_uuid,
        {{ activation.typed_event_name() }} as event_name,
        {{ activation.source_event_time(source('posthog', 'events')) }} as event_at,
        cast(distinct_id as {{ dbt.type_string() }}) as distinct_id,
        {{ activation.source_org_id(properties_text) }} as org_id,
        {{ properties_text }} as properties
    from {{ source('posthog', 'events') }}
    where
        {{ activation.is_tracked_event() }}
        {%- if since is not none %}
        and {{ activation.read_again(adapter.quote('timestamp'), since) }}
        {%- endif %}
) as typed_events
{% endmacro %}


{#- The source's event name as the models use it: trimmed, null when blank. -#}
{% macro typed_event_name() -%}
    nullif({{ activation.trimmed_event_name() }}, '')
{%- endmacro %}


{#- The source's event name trimmed ('' when blank, null when null). -#}
{% macro trimmed_event_name() -%}
    {{ activation.trim_spaces('cast(event as ' ~ dbt.type_string() ~ ')') }}
{%- endmacro %}


{#- The latest event time accepted: the run's start plus
    var('max_future_days'), as a timestamp literal. -#}
{% macro latest_usable_time() -%}
    {#- rendered when dbt parses the models, before on-run-start: check the
        vars here too, so that a wrong one is named rather than failing below -#}
    {%- do activation.validate_vars() -%}
    {{ activation.timestamp_literal(
        (run_started_at + modules.datetime.timedelta(days=var('max_future_days'))).strftime('%Y-%m-%d %H:%M:%S')) }}
{%- endmacro %}
