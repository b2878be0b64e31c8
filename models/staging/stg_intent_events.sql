with

intent_events as (

    select
        event_uuid,
        org_id,
        event_at as intent_at,
        event_name as intent_event_name,
        properties
    from {{ ref('stg_events') }}
    where event_name in ({{ activation.string_list(var('intent_events')) }})

),

cross_sell_contexts as (

    select intent_context from {{ ref('cross_sell_intent_contexts') }}

),

parsed_intents as (

    select
        event_uuid,
        org_id,
        intent_at,
        intent_event_name,
        {#- product keys are matched without regard to case or surrounding spaces -#}
        {%- set product_key = activation.json_string('properties', 'product_key') %}
        nullif({{ activation.lower_text(activation.trim_spaces(product_key)) }}, '') as product,
        {{ activation.json_string('properties', 'intent_context') }} as intent_context,
        {{ activation.json_string('properties', 'type') }} as intent_type,
        {#- for the products' intent conditions (first_intents) -#}
        properties
    from intent_events

),

classified_intents as (

    select
        event_uuid,
        org_id,
        intent_at,
        intent_event_name,
        product,
        intent_context,
        intent_type,
        properties,
        case
            when intent_type = 'cross_sell' then 'type'
            when intent_context in (select cross_sell_contexts.intent_context from cross_sell_contexts)
                then 'context'
        end as cross_sell_reason
    from parsed_intents

)

select
    *,
    cast(cross_sell_reason is not null as {{ dbt.type_boolean() }}) as is_cross_sell
from classified_intents
