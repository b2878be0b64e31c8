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
    booleans are not strings, on every adapter alike. The key goes in a JSON
    Pointer (RFC 6901: ~ and / escaped), which names it exactly: in a
    JSONPath, even quoted, DuckDB reads "*" as a wildcard. -#}
{% macro default__json_string(column, key) -%}
    {%- set path = activation.string_literal('/' ~ key.replace('~', '~0').replace('/', '~1')) -%}
    case when json_type({{ column }}, {{ path }}) = 'VARCHAR' then json_extract_string({{ column }}, {{ path }}) end
{%- endmacro %}


{#- ClickHouse: simdjson functions on the String column. JSONType is 'Null'
    for text that is not JSON, so no guard is needed. -#}
{% macro clickhouse__is_json_object(column) -%}
    JSONType({{ column }}) = 'Object'
{%- endmacro %}

{#- JSONExtractString gives '' for a missing key or a non-string value:
    JSONType tells a real string apart. -#}
{% macro clickhouse__json_string(column, key) -%}
    {%- set key_literal = activation.string_literal(key) -%}
    if(JSONType({{ column }}, {{ key_literal }}) = 'String', JSONExtractString({{ column }}, {{ key_literal }}), null)
{%- endmacro %}
