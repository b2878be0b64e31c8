{{ config(order_by='(product, intent_month)') }}

with

product_outcomes as (

    {{ activation.product_outcomes() }}

),

products as (

    select
        product,
        survival_window_end_months
    from {{ ref('int_activation_products') }}

),

clock as (

    select as_of from {{ ref('int_activation_clock') }}

),

monthly_counts as (

    select
        product,
        intent_month,
        cast(count(*) as {{ dbt.type_bigint() }}) as intent_orgs,
        cast(sum(case when activated then 1 else 0 end) as {{ dbt.type_bigint() }}) as activated_orgs,
        cast(sum(case when survived then 1 else 0 end) as {{ dbt.type_bigint() }}) as survived_orgs,
        cast(sum(case when retained then 1 else 0 end) as {{ dbt.type_bigint() }}) as retained_orgs
    from product_outcomes
    group by product, intent_month

),

monthly_rates as (

    select
        monthly_counts.product,
        monthly_counts.intent_month,
        monthly_counts.intent_orgs,
        monthly_counts.activated_orgs,
        cast(monthly_counts.activated_orgs as double) / monthly_counts.intent_orgs as activation_rate,
        monthly_counts.survived_orgs,
        cast(monthly_counts.survived_orgs as double) / monthly_counts.intent_orgs as baseline_survival_rate,
        monthly_counts.retained_orgs,
        cast(monthly_counts.retained_orgs as double)
        / nullif(monthly_counts.activated_orgs, 0) as retention_rate,
        {{ activation.month_survival_end(
            'monthly_counts.intent_month', 'products.survival_window_end_months') }} as survival_windows_end
    from monthly_counts
    inner join products
        on monthly_counts.product = products.product

)

select
    monthly_rates.product,
    monthly_rates.intent_month,
    monthly_rates.intent_orgs,
    monthly_rates.activated_orgs,
    monthly_rates.activation_rate,
    monthly_rates.survived_orgs,
    monthly_rates.baseline_survival_rate,
    monthly_rates.retained_orgs,
    monthly_rates.retention_rate,
    monthly_rates.retention_rate / nullif(monthly_rates.baseline_survival_rate, 0) as retention_lift,
    {{ activation.is_final('clock.as_of', 'monthly_rates.survival_windows_end') }} as is_mature,
    {#- contract 6a: the uncertainty of each rate, and whether the activated
        retain better than the others of the month -#}
    {%- for rate, successes, trials in [
        ('activation_rate', 'activated_orgs', 'intent_orgs'),
        ('baseline_survival_rate', 'survived_orgs', 'intent_orgs'),
        ('retention_rate', 'retained_orgs', 'activated_orgs')] %}
    {%- for bound in ['low', 'high'] %}
    {{ activation.wilson_interval('monthly_rates.' ~ successes, 'monthly_rates.' ~ trials, bound) }}
        as {{ rate }}_{{ bound }},
    {%- endfor %}
    {%- endfor %}
    {%- set cells = ['monthly_rates.retained_orgs', 'monthly_rates.activated_orgs',
        'monthly_rates.survived_orgs - monthly_rates.retained_orgs',
        'monthly_rates.intent_orgs - monthly_rates.activated_orgs'] %}
    {{ activation.relative_survival(cells[0], cells[1], cells[2], cells[3]) }} as relative_survival,
    {{ activation.relative_survival(cells[0], cells[1], cells[2], cells[3], part='low') }} as relative_survival_low,
    {{ activation.relative_survival(cells[0], cells[1], cells[2], cells[3], part='high') }} as relative_survival_high
from monthly_rates
cross join clock
