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


{#- The adapter's string_literal is looked up once, not once a value: the
    organizations an incremental run reads again can be thousands (1,300 ids:
    47 -> 18 ms). -#}
{% macro string_list(values) -%}
    {%- set quote_value = adapter.dispatch('string_literal', 'activation') -%}
    {%- for value in values -%}
        {{ quote_value(value) }}{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}


{% macro clickhouse__string_literal(value) -%}
    '{{ value | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{% macro clickhouse__timestamp_literal(value) -%}
    toDateTime64({{ activation.string_literal(value) }}, 6, 'UTC')
{%- endmacro %}
