{#- The lowercased column names of a source relation, every one a query can
    name. Asked several times in a node's render (the column checks, the
    organization's reading, the staging's record): kept on the render's own
    copy of the node (`model`), one query per render. -#}
{% macro source_column_names(relation) %}
    {%- set key = 'activation_columns_of_' ~ relation -%}
    {%- if model is mapping and model.get(key) is not none -%}
        {{ return(model[key]) }}
    {%- endif -%}
    {%- set names = adapter.dispatch('source_column_names', 'activation')(relation) -%}
    {%- if model is mapping -%}
        {%- do model.update({key: names}) -%}
    {%- endif -%}
    {{ return(names) }}
{% endmacro %}


{#- DuckDB reads the source as a Parquet scan, which has no catalog entry:
    ask the scan itself. -#}
{% macro default__source_column_names(relation) %}
    {{ return(run_query('select * from ' ~ relation ~ ' limit 0').column_names | map('lower') | list) }}
{% endmacro %}


{#- `select *` leaves out MATERIALIZED and ALIAS columns, and PostHog's
    events table computes $group_0 as one: ask system.columns. -#}
{% macro clickhouse__source_column_names(relation) %}
    {%- set names = run_query(
        'select lower(name) from system.columns where database = ' ~ activation.string_literal(relation.schema)
        ~ ' and table = ' ~ activation.string_literal(relation.identifier)) -%}
    {#- rows, not columns[0]: an empty result comes back without its columns -#}
    {{ return(names.rows | map('first') | list) }}
{% endmacro %}


{#- Where the events are read from, as text: what the target's engine reads
    (staging_vars records it, so that another source is read anew). -#}
{% macro source_location() %}
    {{ return(adapter.dispatch('source_location', 'activation')()) }}
{% endmacro %}

{#- DuckDB: the Parquet files of var('events_path'). -#}
{% macro default__source_location() %}
    {{ return(activation.setting('events_path') | string) }}
{% endmacro %}

{#- ClickHouse: the table var('events_database').var('events_table'). -#}
{% macro clickhouse__source_location() %}
    {{ return(activation.setting('events_database') ~ '.' ~ activation.setting('events_table')) }}
{% endmacro %}


{#- Raises when the events' `timestamp` has a time zone and the session's
    own is not UTC: casting it to the models' timestamp type would give
    local times, shifting windows and months (and the look-back's read). -#}
{% macro require_utc_event_times(relation) %}
    {{ return(adapter.dispatch('require_utc_event_times', 'activation')(relation)) }}
{% endmacro %}


{#- DuckDB converts TIMESTAMPTZ to TIMESTAMP in its TimeZone setting, the
    machine's unless the profile sets it; whether it acts as UTC is tested
    on a winter and a summer time, whatever the zone's name. -#}
{% macro default__require_utc_event_times(relation) %}
    {%- set checked = run_query(
        'select (select column_type from (describe select ' ~ adapter.quote('timestamp') ~ ' from ' ~ relation ~ '))'
        ~ " = 'TIMESTAMP WITH TIME ZONE', current_setting('TimeZone'),"
        ~ " cast(timestamptz '2025-01-01 00:00:00+00' as timestamp) = timestamp '2025-01-01 00:00:00'"
        ~ " and cast(timestamptz '2025-07-01 00:00:00+00' as timestamp) = timestamp '2025-07-01 00:00:00'") -%}
    {%- set has_zone, zone, acts_as_utc = checked.rows[0] -%}
    {%- if has_zone and not acts_as_utc -%}
        {{ exceptions.raise_compiler_error(
            "the events source " ~ relation ~ " stores timestamp with a time zone, and this DuckDB session's "
            ~ "TimeZone is " ~ zone ~ ": its times would be read as local times. Set TimeZone: UTC under "
            ~ "settings in the profile's DuckDB target (profiles.example.yml does).") }}
    {%- endif -%}
{% endmacro %}


{#- ClickHouse: the events' DateTime64 carries its zone (UTC in PostHog's
    table) and the profiles set session_timezone UTC. -#}
{% macro clickhouse__require_utc_event_times(relation) %}
{% endmacro %}
