{#- on_schema_change for the product models. Their columns are fixed by
    product_activation, which checks their names against the stored table
    itself (require_stored_columns) on every adapter. -#}
{% macro schema_change_policy() -%}
    {{ return(adapter.dispatch('schema_change_policy', 'activation')()) }}
{%- endmacro %}

{#- dbt's own check on top, which compares types too: negligible here (two
    column lookups), as dbt compares the batch table it builds anyway. -#}
{% macro default__schema_change_policy() -%}
    {{ return('fail') }}
{%- endmacro %}

{#- dbt-clickhouse's check runs the model's whole query once more (under
    LIMIT 0, which still evaluates its subqueries): 0.1-0.2 s per product
    model and run at 10M-100M events, measured). The price: a change of a
    column's type alone goes unnoticed, and ClickHouse converts the values
    on insert. The incremental-equals-full-refresh tests compare values on
    ClickHouse, so a model that starts writing other types shows there. -#}
{% macro clickhouse__schema_change_policy() -%}
    {{ return('ignore') }}
{%- endmacro %}
