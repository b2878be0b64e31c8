{#- One row per product and candidate activation definition, over mature
    intent months only: how many organizations each definition activates and
    how well they retain against the product's baseline survival. Every
    candidate of a product is evaluated in one pass over its events. The row
    'current' is the product's own definition. -#}
-- depends_on: {{ ref('int_activation_products') }}
-- depends_on: {{ ref('stg_events') }}
-- depends_on: {{ ref('int_activation_clock') }}
{{ config(order_by='(product, candidate)') }}

{%- set products = activation.declared_products() %}
{%- set recommend_by = var('candidate_recommend_by') %}
{%- if recommend_by not in ['retained_orgs', 'retention_lift'] %}
    {{ exceptions.raise_compiler_error(
        "var candidate_recommend_by must be 'retained_orgs' or 'retention_lift', got '" ~ recommend_by ~ "'") }}
{%- endif %}

with

candidate_counts as (
{%- for product in products %}
{%- set spec = product.spec %}
{%- set candidates = [{
    'name': 'current',
    'activation_criteria': spec.activation_criteria,
    'activation_window_days': spec.activation_window_days,
}] + spec.get('candidates', []) %}
{%- set criteria = [] %}
{%- set owners = [] %}
{%- for candidate in candidates %}
    {%- set candidate_index = loop.index0 %}
    {%- for criterion in candidate.activation_criteria %}
        {%- do criteria.append(dict(criterion, starts_at=none,
            ends_at=dbt.dateadd('day', candidate.activation_window_days, 'intent_at'))) %}
        {%- do owners.append(candidate_index) %}
    {%- endfor %}
{%- endfor %}
{%- set longest_window = candidates | map(attribute='activation_window_days') | max %}

    select
        {{ activation.string_literal(spec.product) }} as product,
        candidate_index,
        candidate,
        sum(intent_orgs) as intent_orgs,
        sum(activated_orgs) as activated_orgs,
        sum(survived_orgs) as survived_orgs,
        sum(retained_orgs) as retained_orgs
    from (
        with

        mature_intents as (

            select
                outcomes.org_id,
                outcomes.intent_at,
                outcomes.survived
            from {{ activation.product_relation(product) }} as outcomes
            cross join {{ ref('int_activation_clock') }} as clock
            where
                {{ dbt.dateadd('month', spec.survival_window_months[1],
                    dbt.dateadd('month', 1, 'outcomes.intent_month')) }} <= clock.as_of

        ),

        {{ activation.window_events(
            'mature_intents',
            criteria | map(attribute='event') | unique | list,
            dbt.dateadd('day', longest_window, 'mature_intents.intent_at')) }},

        {{ activation.criteria_met(criteria) }},

        candidate_progress as (

            select
                org_id,
                case criterion_index
                    {%- for owner in owners %}
                    when {{ loop.index0 }} then {{ owner }}
                    {%- endfor %}
                end as candidate_index,
                count(*) as criteria_met_count
            from criteria_met
            group by 1, 2

        ),

        candidate_list as (
            {%- for candidate in candidates %}

            select
                {{ loop.index0 }} as candidate_index,
                {{ activation.string_literal(candidate.name) }} as candidate,
                {{ candidate.activation_criteria | length }} as criteria_count
            {%- if not loop.last %}

            union all
            {%- endif %}
            {%- endfor %}

        ),

        org_candidates as (

            {#- aliased: ClickHouse names a column taken from a join by its
                qualified name when both sides have it -#}
            select
                candidate_list.candidate_index as candidate_index,
                candidate_list.candidate as candidate,
                mature_intents.survived,
                coalesce(candidate_progress.criteria_met_count, 0) = candidate_list.criteria_count as activated
            from mature_intents
            cross join candidate_list
            left join candidate_progress
                on
                    mature_intents.org_id = candidate_progress.org_id
                    and candidate_list.candidate_index = candidate_progress.candidate_index

        )

        select
            candidate_index,
            candidate,
            count(*) as intent_orgs,
            sum(case when activated then 1 else 0 end) as activated_orgs,
            sum(case when survived then 1 else 0 end) as survived_orgs,
            sum(case when activated and survived then 1 else 0 end) as retained_orgs
        from org_candidates
        group by candidate_index, candidate

        -- every candidate gets a row, even with no mature organization
        union all

        select
            candidate_index,
            candidate,
            0 as intent_orgs,
            0 as activated_orgs,
            0 as survived_orgs,
            0 as retained_orgs
        from candidate_list
    ) as product_candidates
    group by candidate_index, candidate
    {%- if not loop.last %}

    union all
    {%- endif %}
{%- else %}

    select
        cast(null as {{ dbt.type_string() }}) as product,
        cast(null as {{ dbt.type_int() }}) as candidate_index,
        cast(null as {{ dbt.type_string() }}) as candidate,
        0 as intent_orgs,
        0 as activated_orgs,
        0 as survived_orgs,
        0 as retained_orgs
    where 1 = 0
{%- endfor %}

),

candidate_rates as (

    select
        product,
        candidate_index,
        candidate,
        cast(intent_orgs as {{ dbt.type_bigint() }}) as intent_orgs,
        cast(activated_orgs as {{ dbt.type_bigint() }}) as activated_orgs,
        cast(activated_orgs as double) / nullif(intent_orgs, 0) as activation_rate,
        cast(survived_orgs as {{ dbt.type_bigint() }}) as survived_orgs,
        cast(survived_orgs as double) / nullif(intent_orgs, 0) as baseline_survival_rate,
        cast(retained_orgs as {{ dbt.type_bigint() }}) as retained_orgs,
        cast(retained_orgs as double) / nullif(activated_orgs, 0) as retention_rate
    from candidate_counts

),

candidate_flags as (

    select
        *,
        retention_rate / nullif(baseline_survival_rate, 0) as retention_lift,
        coalesce(activation_rate < {{ var('candidate_min_activation_rate') }}, true) as is_too_narrow,
        activated_orgs < {{ var('candidate_min_activated_orgs') }} as is_too_small
    from candidate_rates

),

candidate_preference as (

    select
        *,
        row_number() over (
            partition by product
            order by
                case when is_too_narrow or is_too_small then 1 else 0 end,
                {%- if recommend_by == 'retention_lift' %}
                retention_lift desc nulls last,
                retained_orgs desc,
                {%- else %}
                retained_orgs desc,
                retention_lift desc nulls last,
                {%- endif %}
                candidate_index
        ) as preference
    from candidate_flags

)

select
    product,
    candidate,
    cast(candidate_index = 0 as {{ dbt.type_boolean() }}) as is_current_definition,
    intent_orgs,
    activated_orgs,
    activation_rate,
    survived_orgs,
    baseline_survival_rate,
    retained_orgs,
    retention_rate,
    retention_lift,
    cast(is_too_narrow as {{ dbt.type_boolean() }}) as is_too_narrow,
    cast(is_too_small as {{ dbt.type_boolean() }}) as is_too_small,
    cast(preference = 1 and not is_too_narrow and not is_too_small as {{ dbt.type_boolean() }}) as is_recommended
from candidate_preference
