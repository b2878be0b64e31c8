{#- Checks every product model, including ones added without a yml entry, in
    one query (dbt spends 30-50 ms on each test whatever its size: seven
    models times five tests were most of what a scheduled run's tests cost):
    one row per organization and product, no null but in activated_at and
    intent_context, retained = activated and survived, activated_at set
    exactly when activated and never before intent. Returns the offending
    rows, each with its problem. The scheduled job's hourly run checks only
    the organizations with recent events (recently_active). No product
    declared (or parse time): the same columns, no rows. -#}
-- depends_on: {{ ref('int_activation_products') }}
{#- every column, unlike product_outcomes(), which leaves out the bookkeeping -#}
{%- set columns = activation.product_columns() %}
{%- set not_null = columns | map(attribute=0) | reject('in', ['activated_at', 'intent_context']) | list %}
{%- set products = activation.declared_products() %}
{%- set checked_orgs = activation.recently_active('org_id') %}
{%- do activation.ref_product_models() %}

with

product_rows as (

    {%- for product in products %}
    select {{ columns | map(attribute=0) | join(', ') }}
    from {{ activation.product_relation(product) }}
    where {{ checked_orgs }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        {%- for name, type in columns %}
        cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- endfor %}

),

duplicate_rows as (

    select
        org_id,
        product,
        'more than one row per organization' as problem
    from product_rows
    group by org_id, product
    having count(*) > 1

),

rows_with_nulls as (

    select
        org_id,
        product,
        case
            {%- for column in not_null %}
            when {{ column }} is null then {{ activation.string_literal('null ' ~ column) }}
            {%- endfor %}
        end as problem
    from product_rows
    where
        {%- for column in not_null %}
        {{ column }} is null{{ " or" if not loop.last }}
        {%- endfor %}

),

inconsistent_rows as (

    select
        org_id,
        product,
        'outcome columns disagree' as problem
    from product_rows
    where
        not coalesce(retained = (activated and survived), false)
        or not coalesce((activated_at is not null) = activated, false)
        or activated_at < intent_at

)

select * from duplicate_rows
union all
select * from rows_with_nulls
union all
select * from inconsistent_rows
