{#- The clause that writes a model's rows in a given order: `columns` (a
    list), or by default its sort key (config order_by, ClickHouse's
    MergeTree key), so that related rows are stored together. -#}
{% macro stored_order(columns=none) -%}
    {{ return(adapter.dispatch('stored_order', 'activation')(columns)) }}
{%- endmacro %}

{#- DuckDB keeps a table's rows in insertion order (preserve_insertion_order,
    on by default), with each row group's min and max per column: a scan
    skips the row groups whose range its filter excludes. stg_product_intents
    sorted on product: one product's intents 0.019 -> 0.005 s at 100M events.
    The key must be plain columns, as DuckDB reads it: a list, or text in
    one pair of parentheses. -#}
{% macro default__stored_order(columns) -%}
    {%- set key = columns if columns is not none else config.get('order_by') -%}
    {%- if key is not string -%}
        {%- set key = (key or []) | join(', ') -%}
    {%- elif key.startswith('(') and key.endswith(')') -%}
        {%- set key = key[1:-1] -%}
    {%- endif -%}
    {%- if key -%}
        order by {{ key }}
    {%- endif -%}
{%- endmacro %}

{#- ClickHouse sorts each insert on the table's own key. -#}
{% macro clickhouse__stored_order(columns) -%}
{%- endmacro %}
