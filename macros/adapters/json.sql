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


{#- Typed accessors for the criteria language's conditions. Each takes a
    property path like json_string and is null when the value is not of its
    type (missing, JSON null or another type): a number never equals "5". -#}

{#- The property's value when it is a JSON number, as a double: 5 and 5.0
    are equal. -#}
{% macro json_number(column, path) -%}
    {{ return(adapter.dispatch('json_number', 'activation')(column, activation.json_path_keys(path))) }}
{%- endmacro %}

{#- try_cast: DuckDB may evaluate the cast on rows the case leaves out -#}
{% macro default__json_number(column, keys) -%}
    {%- set path = activation.string_literal(activation.json_pointer(keys)) -%}
    case when json_type({{ column }}, {{ path }}) in ('BIGINT', 'UBIGINT', 'HUGEINT', 'DOUBLE')
        then try_cast(json_extract_string({{ column }}, {{ path }}) as double) end
{%- endmacro %}

{% macro clickhouse__json_number(column, keys) -%}
    {%- set key_literals = activation.string_list(keys) -%}
    if(JSONType({{ column }}, {{ key_literals }}) in ('Int64', 'UInt64', 'Double'),
        JSONExtractFloat({{ column }}, {{ key_literals }}), null)
{%- endmacro %}


{#- The property's value when it is a JSON boolean. -#}
{% macro json_boolean(column, path) -%}
    {{ return(adapter.dispatch('json_boolean', 'activation')(column, activation.json_path_keys(path))) }}
{%- endmacro %}

{% macro default__json_boolean(column, keys) -%}
    {%- set path = activation.string_literal(activation.json_pointer(keys)) -%}
    case when json_type({{ column }}, {{ path }}) = 'BOOLEAN'
        then json_extract_string({{ column }}, {{ path }}) = 'true' end
{%- endmacro %}

{% macro clickhouse__json_boolean(column, keys) -%}
    {%- set key_literals = activation.string_list(keys) -%}
    if(JSONType({{ column }}, {{ key_literals }}) = 'Bool', JSONExtractBool({{ column }}, {{ key_literals }}) = 1, null)
{%- endmacro %}


{#- Whether the property is there and not JSON null (never null itself). -#}
{% macro json_is_set(column, path) -%}
    {{ return(adapter.dispatch('json_is_set', 'activation')(column, activation.json_path_keys(path))) }}
{%- endmacro %}

{#- json_type is 'NULL' for a JSON null, SQL null for a missing key -#}
{% macro default__json_is_set(column, keys) -%}
    coalesce(json_type({{ column }}, {{ activation.string_literal(activation.json_pointer(keys)) }}) <> 'NULL', false)
{%- endmacro %}

{#- JSONType is 'Null' for a missing key and for a JSON null alike -#}
{% macro clickhouse__json_is_set(column, keys) -%}
    JSONType({{ column }}, {{ activation.string_list(keys) }}) != 'Null'
{%- endmacro %}


{#- A text that is equal for equal JSON values and null for a missing
    property or JSON null, for counting distinct values: a type tag, then
    the string, the number as a double (5 and 5.0 alike) or, for booleans,
    arrays and objects, the JSON text as the engine prints it (minified). The
    text is only compared within one engine, never across them. -#}
{% macro json_value_key(column, path) -%}
    {{ return(adapter.dispatch('json_value_key', 'activation')(column, activation.json_path_keys(path))) }}
{%- endmacro %}

{% macro default__json_value_key(column, keys) -%}
    {%- set path = activation.string_literal(activation.json_pointer(keys)) -%}
    case json_type({{ column }}, {{ path }})
        when 'NULL' then null
        when 'VARCHAR' then 's' || json_extract_string({{ column }}, {{ path }})
        when 'BIGINT' then 'n' || cast(try_cast(json_extract_string({{ column }}, {{ path }}) as double) as varchar)
        when 'UBIGINT' then 'n' || cast(try_cast(json_extract_string({{ column }}, {{ path }}) as double) as varchar)
        when 'HUGEINT' then 'n' || cast(try_cast(json_extract_string({{ column }}, {{ path }}) as double) as varchar)
        when 'DOUBLE' then 'n' || cast(try_cast(json_extract_string({{ column }}, {{ path }}) as double) as varchar)
        else 'j' || cast(json_extract({{ column }}, {{ path }}) as varchar)
    end
{%- endmacro %}

{% macro clickhouse__json_value_key(column, keys) -%}
    {%- set key_literals = activation.string_list(keys) -%}
    {%- set value_type = 'JSONType(' ~ column ~ ', ' ~ key_literals ~ ')' -%}
    multiIf(
        {{ value_type }} = 'Null', null,
        {{ value_type }} = 'String', concat('s', JSONExtractString({{ column }}, {{ key_literals }})),
        {{ value_type }} in ('Int64', 'UInt64', 'Double'),
        concat('n', toString(JSONExtractFloat({{ column }}, {{ key_literals }}))),
        concat('j', JSONExtractRaw({{ column }}, {{ key_literals }}))
    )
{%- endmacro %}
