{#- Organizations to nudge: their activation window is still open (as of
    int_activation_clock) and they have not activated. One row per such
    organization, product and activation criterion not yet met, with how many
    qualifying events it has so far and how many days are left. PostHog shows
    these as an in-app banner or an email. -#}
-- depends_on: {{ ref('int_activation_products') }}
-- depends_on: {{ ref('stg_events') }}
-- depends_on: {{ ref('int_activation_clock') }}
{{ config(order_by='(product, org_id, criterion_index)') }}

{%- set products = activation.declared_products() %}
{%- do activation.ref_product_models() %}

with

clock as (

    select as_of from {{ ref('int_activation_clock') }}

),

missing_criteria as (
{%- for product in products %}
{%- set spec = product.spec %}
{%- set window_end = dbt.dateadd('day', spec.activation_window_days, 'intent_at') %}
{%- set criteria = [] %}
{%- for criterion in spec.activation_criteria %}
    {%- do criteria.append(dict(criterion, starts_at=none, ends_at=window_end)) %}
{%- endfor %}

    select
        {{ activation.string_literal(spec.product) }} as product,
        org_id,
        intent_at,
        activation_window_end,
        criterion_index,
        criterion_event,
        case criterion_index
            {%- for criterion in criteria %}
            when {{ loop.index0 }} then {{ activation.string_literal(tojson(criterion.properties)) }}
            {%- endfor %}
        end as criterion_properties,
        required_events,
        qualifying_events
    from (
        with

        open_intents as (

            select
                outcomes.org_id,
                outcomes.intent_at,
                {{ dbt.dateadd('day', spec.activation_window_days, 'outcomes.intent_at') }} as activation_window_end
            from {{ activation.product_relation(product) }} as outcomes
            where not outcomes.activated and not outcomes.activation_final

        ),

        {{ activation.window_events(
            'open_intents',
            criteria | map(attribute='event') | unique | list,
            'open_intents.activation_window_end') }},

        {{ activation.criteria_met(criteria) }},

        {#- every criterion here ends where window_events ends, so each
            event of its sequence counts -#}
        progress as (

            select
                sequence_matches.org_id,
                criteria_list.criterion_index,
                count(*) as qualifying_events
            from sequence_matches
            inner join criteria_list
                on sequence_matches.sequence_index = criteria_list.sequence_index
            group by sequence_matches.org_id, criteria_list.criterion_index

        )

        select
            open_intents.org_id as org_id,
            open_intents.intent_at as intent_at,
            open_intents.activation_window_end as activation_window_end,
            criteria_list.criterion_index as criterion_index,
            criteria_list.event_name as criterion_event,
            criteria_list.min_count as required_events,
            coalesce(progress.qualifying_events, 0) as qualifying_events
        from open_intents
        cross join criteria_list
        left join progress
            on
                open_intents.org_id = progress.org_id
                and criteria_list.criterion_index = progress.criterion_index
        where coalesce(progress.qualifying_events, 0) < criteria_list.min_count
    ) as product_missing
    {%- if not loop.last %}

    union all
    {%- endif %}
{%- else %}

    {#- no product declared (or parse time): the same columns, no rows -#}
    select
        cast(null as {{ dbt.type_string() }}) as product,
        cast(null as {{ dbt.type_string() }}) as org_id,
        cast(null as {{ activation.type_timestamp() }}) as intent_at,
        cast(null as {{ activation.type_timestamp() }}) as activation_window_end,
        cast(null as {{ dbt.type_int() }}) as criterion_index,
        cast(null as {{ dbt.type_string() }}) as criterion_event,
        cast(null as {{ dbt.type_string() }}) as criterion_properties,
        cast(null as {{ dbt.type_int() }}) as required_events,
        cast(null as {{ dbt.type_bigint() }}) as qualifying_events
    where 1 = 0
{%- endfor %}

)

select
    missing_criteria.product,
    missing_criteria.org_id,
    missing_criteria.intent_at,
    missing_criteria.activation_window_end,
    {{ dbt.datediff('clock.as_of', 'missing_criteria.activation_window_end', 'day') }} as days_left,
    missing_criteria.criterion_index,
    missing_criteria.criterion_event,
    missing_criteria.criterion_properties,
    missing_criteria.required_events,
    cast(missing_criteria.qualifying_events as {{ dbt.type_bigint() }}) as qualifying_events
from missing_criteria
cross join clock
{# a clock set before an intent (var as_of): its window has not opened yet #}
where missing_criteria.intent_at <= clock.as_of
