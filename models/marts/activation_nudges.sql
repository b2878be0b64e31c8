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
{#- the parts in criteria_met's order: each alternative of an any_of, or the criterion -#}
{%- set parts = [] %}
{%- for criterion in spec.activation_criteria %}
    {%- for part in criterion.get('any_of') or [criterion] %}
        {%- do parts.append(activation.nudge_words(part, criterion.get('label') if criterion.get('any_of') else none)) %}
    {%- endfor %}
{%- endfor %}

    select
        {{ activation.string_literal(spec.product) }} as product,
        org_id,
        intent_at,
        activation_window_end,
        criterion_index,
        case part_index
            {%- for part in parts %}
            when {{ loop.index0 }} then {{ activation.string_literal(part.event) }}
            {%- endfor %}
        end as criterion_event,
        case part_index
            {%- for part in parts %}
            when {{ loop.index0 }} then {{ activation.string_literal(part.properties) }}
            {%- endfor %}
        end as criterion_properties,
        required_events,
        qualifying_events,
        {{ dbt.concat([
            'cast(qualifying_events as ' ~ dbt.type_string() ~ ')',
            "' of '",
            'cast(required_events as ' ~ dbt.type_string() ~ ')',
            "' '",
            'case part_index' ~ activation.nudge_word_cases(parts) ~ ' end',
        ]) }} as progress
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
            activation.criteria_event_names(criteria),
            'open_intents.activation_window_end') }},

        {{ activation.criteria_met(criteria) }},

        {#- every criterion here ends where window_events ends, so each
            counted event of its sequence counts (for a distinct count, the
            first event of each value) -#}
        progress as (

            select
                org_id,
                sequence_index,
                count(*) as qualifying_events
            from numbered_matches
            group by org_id, sequence_index

        ),

        {#- an alternative shows its part nearest to being met -#}
        part_progress as (

            select
                open_intents.org_id as org_id,
                open_intents.intent_at as intent_at,
                open_intents.activation_window_end as activation_window_end,
                criteria_list.criterion_index as criterion_index,
                criteria_list.part_index as part_index,
                criteria_list.min_count as required_events,
                coalesce(progress.qualifying_events, 0) as qualifying_events,
                row_number() over (
                    partition by open_intents.org_id, criteria_list.criterion_index
                    order by
                        cast(coalesce(progress.qualifying_events, 0) as double) / criteria_list.min_count desc,
                        criteria_list.part_index
                ) as part_rank
            from open_intents
            cross join criteria_list
            left join progress
                on
                    open_intents.org_id = progress.org_id
                    and criteria_list.sequence_index = progress.sequence_index

        )

        select
            org_id,
            intent_at,
            activation_window_end,
            criterion_index,
            part_index,
            required_events,
            qualifying_events
        from part_progress
        where part_rank = 1 and qualifying_events < required_events
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
        cast(null as {{ dbt.type_bigint() }}) as qualifying_events,
        cast(null as {{ dbt.type_string() }}) as progress
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
    cast(missing_criteria.qualifying_events as {{ dbt.type_bigint() }}) as qualifying_events,
    cast(missing_criteria.progress as {{ dbt.type_string() }}) as progress
from missing_criteria
cross join clock
{# a clock set before an intent (var as_of): its window has not opened yet #}
where missing_criteria.intent_at <= clock.as_of
