{#- The clause that writes a model's rows in its sort key's order
    (config order_by, ClickHouse's MergeTree key), so that both engines
    keep related rows together. -#}
{% macro stored_order() -%}
    {{ return(adapter.dispatch('stored_order', 'activation')()) }}
{%- endmacro %}

{#- DuckDB keeps a table's rows in insertion order (preserve_insertion_order,
    on by default), with each row group's min and max per column: sorted on
    event_name, a scan for a few events skips the row groups of the others
    (100M events: the intents of 200 organizations 0.073 -> 0.034 s, one
    product's criteria events 0.077 -> 0.014 s; stg_product_intents sorted
    on product, one product's intents 0.019 -> 0.005 s). The key must be plain
    columns, as DuckDB reads it: a list, or text in one pair of parentheses. -#}
{% macro default__stored_order() -%}
    {%- set key = config.get('order_by') -%}
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
{% macro clickhouse__stored_order() -%}
{%- endmacro %}
