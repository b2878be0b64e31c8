{#- Stops with one clear message when the events source lacks a column the
    project reads, instead of a database error deep in compiled SQL. -#}
{% macro check_events_columns() %}
    {%- if not execute or model.resource_type != 'model' or flags.WHICH not in ['run', 'build'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set events = source('posthog', 'events') -%}
    {%- set present = activation.source_column_names(events) -%}
    {%- if not present -%}
        {{ exceptions.raise_compiler_error(
            "the events source " ~ events ~ " does not exist (vars events_database and events_table name it)") }}
    {%- endif -%}
    {%- set required = ['uuid', 'event', 'timestamp', 'distinct_id', 'properties'] -%}
    {%- if not var('org_key').startswith('properties.') -%}
        {%- do required.append(var('org_key')) -%}
    {%- endif -%}
    {%- set missing = required | reject('in', present) | list -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "the events source " ~ events ~ " has no column " ~ missing | join(', ')
            ~ " (it needs " ~ required | join(', ') ~ "; var org_key names the organization column)") }}
    {%- endif -%}
    {%- do activation.require_utc_event_times(events) -%}
{% endmacro %}
