{#- JSON access on the text `properties` column. Only these macros know the
    adapter's JSON functions; models call them and stay shared SQL. -#}

{% macro is_json_object(column) -%}
    {{ return(adapter.dispatch('is_json_object', 'activation')(column)) }}
{%- endmacro %}

{% macro default__is_json_object(column) -%}
    {#- case, not and: json_type raises on text that is not JSON -#}
    case when json_valid({{ column }}) then json_type({{ column }}) = 'OBJECT' else false end
{%- endmacro %}


{% macro json_string(column, key) -%}
    {{ return(adapter.dispatch('json_string', 'activation')(column, key)) }}
{%- endmacro %}

{#- The property's value when it is a JSON string, else null: numbers and
    booleans are not strings, on every adapter alike. -#}
{% macro default__json_string(column, key) -%}
    {%- set path = activation.string_literal('$."' ~ key ~ '"') -%}
    case when json_type({{ column }}, {{ path }}) = 'VARCHAR' then json_extract_string({{ column }}, {{ path }}) end
{%- endmacro %}
