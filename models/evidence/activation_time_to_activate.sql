{#- How long activation takes (contract 6a): per product and intent month,
    the median, 75th and 90th percentile of activated_at - intent_at over
    the activated organizations, by nearest rank: the value at rank
    ceil(p * n) of the n durations in ascending order. Durations in whole
    microseconds and the rank in whole numbers (no float ceil, no engine
    quantile function), so that both engines pick the same organization;
    the picked duration is then shown in fractional days. -#}
-- depends_on: {{ ref('int_activation_products') }}
{{ config(order_by='(product, intent_month)') }}

with

product_outcomes as (

    {{ activation.product_outcomes() }}

),

{# every organization of a month, counted #}
month_counts as (

    select
        product,
        intent_month,
        cast(count(*) as {{ dbt.type_bigint() }}) as intent_orgs,
        cast(sum(case when activated then 1 else 0 end) as {{ dbt.type_bigint() }}) as activated_orgs,
        {#- ClickHouse's min of booleans is a number: counted instead -#}
        sum(case when activation_final then 0 else 1 end) = 0 as is_final
    from product_outcomes
    group by product, intent_month

),

{# only the activated are sorted, each month's on their own #}
month_durations as (

    select
        product,
        intent_month,
        {{ activation.ascending_values(
            activation.epoch_microseconds('activated_at')
            ~ ' - ' ~ activation.epoch_microseconds('intent_at')) }} as ascending_microseconds
    from product_outcomes
    where activated
    group by product, intent_month

),

month_percentiles as (

    select
        product,
        intent_month,
        {%- for name, percent in [('median', 50), ('p75', 75), ('p90', 90)] %}
        {{ activation.nearest_rank('ascending_microseconds', percent) }} as {{ name }}_microseconds
        {{- "," if not loop.last }}
        {%- endfor %}
    from month_durations

),

percentiles as (

    {#- a month nobody activated in has no percentiles row: nulls -#}
    select
        month_counts.product,
        month_counts.intent_month,
        month_counts.intent_orgs,
        month_counts.activated_orgs,
        {%- for name in ['median', 'p75', 'p90'] %}
        month_percentiles.{{ name }}_microseconds,
        {%- endfor %}
        month_counts.is_final
    from month_counts
    left join month_percentiles
        on
            month_counts.product = month_percentiles.product
            and month_counts.intent_month = month_percentiles.intent_month

)

select
    product,
    intent_month,
    intent_orgs,
    activated_orgs,
    {%- for name in ['median', 'p75', 'p90'] %}
    {#- not cast(... as double): ClickHouse's cast drops a null it cannot keep here -#}
    {{ name }}_microseconds / cast(86400000000 as double) as {{ name }}_days,
    {%- endfor %}
    cast(is_final as {{ dbt.type_boolean() }}) as is_final
from percentiles
