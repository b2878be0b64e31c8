{#- The timestamp type of the models: microseconds, like PostHog's events. -#}
{% macro type_timestamp() -%}
    {{ return(adapter.dispatch('type_timestamp', 'activation')()) }}
{%- endmacro %}

{% macro default__type_timestamp() -%}
    timestamp
{%- endmacro %}

{% macro clickhouse__type_timestamp() -%}
    DateTime64(6, 'UTC')
{%- endmacro %}


{#- The events source's `timestamp` (of `relation`) as the models'
    timestamp type, cut to the microsecond, never rounded up: comparing the
    source's own value with a microsecond literal (the look-back's read,
    min_event_timestamp) then agrees with comparing the typed one, and both
    engines give an event one time, hence one intent month. -#}
{% macro source_event_time(relation) -%}
    {{ return(adapter.dispatch('source_event_time', 'activation')(relation)) }}
{%- endmacro %}

{#- DuckDB rounds nanoseconds to the nearest microsecond when casting to
    timestamp (and cannot cast TIMESTAMPTZ_NS at all), so nanosecond columns
    (pandas writes them) are floored through their epoch; only those, since
    epoch_ns overflows outside 1677-2262. Its // cuts toward zero, so a
    negative remainder takes one microsecond more; an infinite time has no
    epoch and keeps the plain cast (rejected as before min or in the future).
    The type is asked of the source when a model runs or is shown, not in
    unit tests (their source is a fixture) nor in `dbt compile`, docs or
    lint, which may run without the source at hand: their SQL shows the
    plain cast. -#}
{% macro default__source_event_time(relation) -%}
    {%- set column = adapter.quote('timestamp') -%}
    {%- set column_type = none -%}
    {%- if execute and model.resource_type == 'model' and flags.WHICH in ['run', 'build', 'show'] -%}
        {%- set column_type = run_query('select column_type from (describe select ' ~ column ~ ' from '
            ~ relation ~ ')').columns[0].values()[0] -%}
    {%- endif -%}
    {%- if column_type in ['TIMESTAMP_NS', 'TIMESTAMPTZ_NS'] -%}
        {%- set nanos = 'epoch_ns(' ~ column ~ ')' -%}
        coalesce(
            make_timestamp({{ nanos }} // 1000 - case when {{ nanos }} % 1000 < 0 then 1 else 0 end),
            cast(cast({{ column }} as timestamptz) as {{ activation.type_timestamp() }}))
    {%- else -%}
        cast({{ column }} as {{ activation.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}

{#- ClickHouse cuts a DateTime64 of finer scale toward zero: down, for every
    time after 1970, where var min_event_timestamp must lie. -#}
{% macro clickhouse__source_event_time(relation) -%}
    cast({{ adapter.quote('timestamp') }} as {{ activation.type_timestamp() }})
{%- endmacro %}


{#- An expression known to hold no null, typed so. ClickHouse keeps columns
    Nullable through casts and filters, and refuses Nullable sorting keys. -#}
{% macro non_nullable(expression) -%}
    {{ return(adapter.dispatch('non_nullable', 'activation')(expression)) }}
{%- endmacro %}

{% macro default__non_nullable(expression) -%}
    {{ expression }}
{%- endmacro %}

{% macro clickhouse__non_nullable(expression) -%}
    assumeNotNull({{ expression }})
{%- endmacro %}
