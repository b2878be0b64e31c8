{#- Fails with every row that has a null in one of `columns`, naming the
    first such column in `null_column`. One query per model rather than one
    not_null test per column: dbt spends 20-30 ms on each test whatever the
    table's size, which on a scheduled run was most of the time its tests
    took. -#}
{% test not_null_columns(model, columns) %}
{%- if columns is string or columns is mapping or not columns %}
    {{ exceptions.raise_compiler_error(
        "not_null_columns on " ~ model ~ ": `columns` must be a non-empty list of column names") }}
{%- endif %}

select *
from (
    select
        case
            {%- for column in columns %}
            when {{ column }} is null then {{ activation.string_literal(column) }}
            {%- endfor %}
        end as null_column,
        *
    from {{ model }}
) as checked_rows
where null_column is not null

{% endtest %}
