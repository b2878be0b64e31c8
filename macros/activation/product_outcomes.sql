{#- Every product model's rows, unioned: the organizations with intent for
    any declared product, with their outcomes. -#}
{% macro product_outcomes() %}
    {#- what the marts read: the per-organization outcome, not its bookkeeping -#}
    {%- set columns = activation.product_columns()
        | rejectattr(0, 'in', ['activated_candidates', 'definition_hash']) | list -%}
    {%- do activation.ref_product_models() -%}
    {%- set products = activation.declared_products() -%}
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
