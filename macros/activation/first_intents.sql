{#- Per organization and product, the first intent that is not cross-sell:
    cross-sell intents go first, then the earliest remaining one is kept, the
    smallest event uuid breaking ties on time. `where` narrows the intents
    before the first one is chosen (a product's allowed intent contexts). -#}
{% macro first_intents(where=none) %}
with

eligible_intents as (

    select *
    from {{ ref('stg_intent_events') }}
    where
        not is_cross_sell
        and product is not null
        {%- if where %}
        and {{ where }}
        {%- endif %}

),

ranked_intents as (

    select
        *,
        row_number() over (
            partition by org_id, product
            order by intent_at, event_uuid
        ) as intent_number
    from eligible_intents

)

select
    org_id,
    {{ activation.non_nullable('product') }} as product,
    intent_at,
    cast({{ dbt.date_trunc('month', 'intent_at') }} as date) as intent_month,
    intent_context,
    intent_event_name,
    event_uuid as intent_event_uuid
from ranked_intents
where intent_number = 1
{% endmacro %}
