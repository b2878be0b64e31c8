{#- Every product model's rows, unioned: the organizations with intent for
    any declared product, with their outcomes. -#}
{% macro product_outcomes() %}
    {%- set columns = [
        ('org_id', dbt.type_string()),
        ('product', dbt.type_string()),
        ('intent_at', activation.type_timestamp()),
        ('intent_month', 'date'),
        ('intent_context', dbt.type_string()),
        ('activated', dbt.type_boolean()),
        ('activated_at', activation.type_timestamp()),
        ('survived', dbt.type_boolean()),
        ('retained', dbt.type_boolean()),
        ('activation_final', dbt.type_boolean()),
        ('survival_final', dbt.type_boolean()),
    ] -%}
    {%- set products = activation.declared_products() -%}
    {%- do activation.require_products_built_first(products) -%}
    {%- for product in products %}
    select {{ columns | map(attribute=0) | join(', ') }}
    from {{ activation.product_relation(product) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    {#- no product declared (or parse time): the same columns, no rows -#}
    select
        {%- for name, type in columns %}
        cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- endfor %}
{% endmacro %}
