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
    {#- $group_0 is not required: without it the organization is read from
        the properties (org_key_reading) -#}
    {%- set org_column = activation.org_key_reading().column -%}
    {%- if org_column is defined and org_column != '$group_0' -%}
        {%- do required.append(org_column | lower) -%}
    {%- endif -%}
    {%- set missing = required | reject('in', present) | list -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "the events source " ~ events ~ " has no column " ~ missing | join(', ')
            ~ " (it needs " ~ required | join(', ') ~ "; var org_key names the organization column: "
            ~ "'properties.<key>' or ['properties', '$groups', 'organization'] read it from the properties "
            ~ "instead, see docs/your-events.md)") }}
    {%- endif -%}
    {%- do activation.require_utc_event_times(events) -%}
{% endmacro %}
