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
    {%- if execute and target.threads > 1 -%}
        {%- for product in products if product.node.unique_id in selected_resources -%}
            {{ exceptions.raise_compiler_error(
                model.name ~ " reads the product models, which dbt runs before it only with threads: 1 "
                ~ "(it finds them when it runs; see README, 'Adding a product'). "
                ~ "Set threads: 1 in the profile or pass --threads 1.") }}
        {%- endfor -%}
    {%- endif -%}
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
