{#- How long activation takes (contract 6a): per product and intent month,
    the median, 75th and 90th percentile of activated_at - intent_at over
    the activated organizations, by nearest rank: the value at rank
    ceil(p * n) of the n durations in ascending order. Ranked on whole
    microseconds and compared in whole numbers (100 * rank >= p% * n, no
    float ceil, no engine quantile function), so that both engines pick the
    same organization; the picked duration is then shown in fractional
    days. -#}
-- depends_on: {{ ref('int_activation_products') }}
{{ config(order_by='(product, intent_month)') }}

with

product_outcomes as (

    {{ activation.product_outcomes() }}

),

{# every organization, the activated ranked among themselves (one
    grouping, no join: the months nobody activated keep their row) #}
ranked_durations as (

    select
        product,
        intent_month,
        activated,
        activation_final,
        {{ activation.epoch_microseconds('activated_at') }}
        - {{ activation.epoch_microseconds('intent_at') }} as microseconds_to_activate,
        row_number() over (
            partition by product, intent_month, activated
            order by {{ activation.epoch_microseconds('activated_at') }}
        ) as duration_rank,
        count(*) over (partition by product, intent_month, activated) as ranked_orgs
    from product_outcomes

),

percentiles as (

    select
        product,
        intent_month,
        cast(count(*) as {{ dbt.type_bigint() }}) as intent_orgs,
        cast(sum(case when activated then 1 else 0 end) as {{ dbt.type_bigint() }}) as activated_orgs,
        {#- the smallest duration at or after the rank: the rank's own, as they ascend -#}
        {%- for name, percent in [('median', 50), ('p75', 75), ('p90', 90)] %}
        min(
            case
                when activated and 100 * duration_rank >= {{ percent }} * ranked_orgs
                    then microseconds_to_activate
            end
        ) as {{ name }}_microseconds,
        {%- endfor %}
        {#- ClickHouse's min of booleans is a number: counted instead -#}
        sum(case when activation_final then 0 else 1 end) = 0 as is_final
    from ranked_durations
    group by product, intent_month

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
