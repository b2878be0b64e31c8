{#- Checks every product model, including ones added without a yml entry:
    one row per organization and product, retained = activated and survived,
    activated_at set exactly when activated and never before intent. Returns
    the offending rows. -#}
-- depends_on: {{ ref('int_activation_products') }}

with

product_outcomes as (

    {{ activation.product_outcomes() }}

),

duplicate_rows as (

    select
        org_id,
        product,
        'more than one row per organization' as problem
    from product_outcomes
    group by org_id, product
    having count(*) > 1

),

inconsistent_rows as (

    select
        org_id,
        product,
        'outcome columns disagree' as problem
    from product_outcomes
    where
        not coalesce(retained = (activated and survived), false)
        or not coalesce((activated_at is not null) = activated, false)
        or activated_at < intent_at

)

select * from duplicate_rows
union all
select * from inconsistent_rows
