{#- The lowercased column names of a source relation, every one a query can
    name. -#}
{% macro source_column_names(relation) %}
    {{ return(adapter.dispatch('source_column_names', 'activation')(relation)) }}
{% endmacro %}


{#- DuckDB reads the source as a Parquet scan, which has no catalog entry:
    ask the scan itself. -#}
{% macro default__source_column_names(relation) %}
    {{ return(run_query('select * from ' ~ relation ~ ' limit 0').column_names | map('lower') | list) }}
{% endmacro %}


{#- `select *` leaves out MATERIALIZED and ALIAS columns, and PostHog's
    events table computes $group_0 as one: ask system.columns. -#}
{% macro clickhouse__source_column_names(relation) %}
    {%- set names = run_query(
        'select lower(name) from system.columns where database = ' ~ activation.string_literal(relation.schema)
        ~ ' and table = ' ~ activation.string_literal(relation.identifier)) -%}
    {#- rows, not columns[0]: an empty result comes back without its columns -#}
    {{ return(names.rows | map('first') | list) }}
{% endmacro %}
