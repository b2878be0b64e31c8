{#- JSON access on the text `properties` column. Only these macros know the
    adapter's JSON functions; models call them and stay shared SQL. -#}

{% macro is_json_object(column) -%}
    {{ return(adapter.dispatch('is_json_object', 'activation')(column)) }}
{%- endmacro %}

{% macro default__is_json_object(column) -%}
    {#- case, not and: json_type raises on text that is not JSON -#}
    case when json_valid({{ column }}) then json_type({{ column }}) = 'OBJECT' else false end
{%- endmacro %}


{#- `path` names a property: a string is one top-level key, taken whole
    (dots and slashes are part of it); a list is keys from the top, nested
    (['$groups', 'organization']). -#}
{% macro json_string(column, path) -%}
    {{ return(adapter.dispatch('json_string', 'activation')(column, activation.json_path_keys(path))) }}
{%- endmacro %}

{#- A property path as its list of keys. -#}
{% macro json_path_keys(path) -%}
    {{ return([path] if path is string else path | list) }}
{%- endmacro %}

{#- The property's value when it is a JSON string, else null: numbers and
    booleans are not strings, on every adapter alike. The keys go in a JSON
    Pointer (RFC 6901: ~ and / escaped), which names them exactly: in a
    JSONPath, even quoted, DuckDB reads "*" as a wildcard. -#}
{% macro default__json_string(column, keys) -%}
    {%- set path = activation.string_literal(activation.json_pointer(keys)) -%}
    case when json_type({{ column }}, {{ path }}) = 'VARCHAR' then json_extract_string({{ column }}, {{ path }}) end
{%- endmacro %}

{#- RFC 6901: each key behind a slash, its ~ and / escaped. -#}
{% macro json_pointer(keys) -%}
    {%- set parts = [] -%}
    {%- for key in keys -%}
        {%- do parts.append('/' ~ key.replace('~', '~0').replace('/', '~1')) -%}
    {%- endfor -%}
    {{ return(parts | join('')) }}
{%- endmacro %}


{#- ClickHouse: simdjson functions on the String column. JSONType is 'Null'
    for text that is not JSON, so no guard is needed. -#}
{% macro clickhouse__is_json_object(column) -%}
    JSONType({{ column }}) = 'Object'
{%- endmacro %}

{#- JSONExtractString gives '' for a missing key or a non-string value:
    JSONType tells a real string apart. -#}
{% macro clickhouse__json_string(column, keys) -%}
    {%- set key_literals = activation.string_list(keys) -%}
    if(JSONType({{ column }}, {{ key_literals }}) = 'String', JSONExtractString({{ column }}, {{ key_literals }}), null)
{%- endmacro %}
