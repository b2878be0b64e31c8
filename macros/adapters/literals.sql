{#- Literals built from user-supplied text (event names, property values,
    product keys). Escaping differs: ClickHouse also treats backslash as an
    escape character inside quotes. -#}

{% macro string_literal(value) -%}
    {{ return(adapter.dispatch('string_literal', 'activation')(value)) }}
{%- endmacro %}

{% macro default__string_literal(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}


{% macro timestamp_literal(value) -%}
    {{ return(adapter.dispatch('timestamp_literal', 'activation')(value)) }}
{%- endmacro %}

{% macro default__timestamp_literal(value) -%}
    cast({{ activation.string_literal(value) }} as timestamp)
{%- endmacro %}


{% macro string_list(values) -%}
    {%- for value in values -%}
        {{ activation.string_literal(value) }}{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}


{% macro clickhouse__string_literal(value) -%}
    '{{ value | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{% macro clickhouse__timestamp_literal(value) -%}
    toDateTime64({{ activation.string_literal(value) }}, 6, 'UTC')
{%- endmacro %}
