{#- One row per product and candidate activation definition, over mature
    intent months only: how many organizations each definition activates and
    how well they retain against the product's baseline survival. The
    product models evaluate every candidate in their own pass over the
    events (activated_candidates); this model only counts. The row 'current'
    is the product's own definition. -#}
-- depends_on: {{ ref('int_activation_products') }}
-- depends_on: {{ ref('int_activation_clock') }}
{{ config(order_by='(product, candidate)') }}

{%- set products = activation.declared_products() %}
{%- do activation.ref_product_models() %}
{#- checked with the other vars before the run (validate_vars) -#}
{%- set recommend_by = var('candidate_recommend_by') %}

with

clock as (

    select as_of from {{ ref('int_activation_clock') }}

),

{%- for product in products %}
{%- set spec = product.spec %}

{{ product.model }}_mature_outcomes as (

    select
        activated,
        survived,
        {#- wrapped in commas, so that each name is matched whole -#}
        {{ dbt.concat(["','", 'activated_candidates', "','"]) }} as candidates_met
    from {{ activation.product_relation(product) }}
    where {{ activation.is_final(
        '(select clock.as_of from clock)',
        activation.month_survival_end('intent_month', spec.survival_window_months[1])) }}

),
{%- endfor %}

candidate_counts as (
{%- for product in products %}
{%- set spec = product.spec %}
{%- set candidates = [{'name': 'current'}] + spec.candidates %}
{%- for candidate in candidates %}
{#- position, not like: `_` in a name would be a like wildcard -#}
{%- set activated = 'activated' if loop.first
    else dbt.position(activation.string_literal(',' ~ candidate.name ~ ','), 'candidates_met') ~ ' > 0' %}

    select
        {{ activation.string_literal(spec.product) }} as product,
        {{ loop.index0 }} as candidate_index,
        {{ activation.string_literal(candidate.name) }} as candidate,
        count(*) as intent_orgs,
        coalesce(sum(case when {{ activated }} then 1 else 0 end), 0) as activated_orgs,
        coalesce(sum(case when survived then 1 else 0 end), 0) as survived_orgs,
        coalesce(sum(case when {{ activated }} and survived then 1 else 0 end), 0) as retained_orgs
    from {{ product.model }}_mature_outcomes
    {%- if not loop.last %}

    union all
    {%- endif %}
{%- endfor %}
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

{#- a definition whose activated organizations retain no better than all of
    them (lift <= 1) singles out nobody, however many it retains -#}
candidate_eligibility as (

    select
        *,
        not is_too_narrow and not is_too_small and coalesce(retention_lift > 1, false) as is_eligible
    from candidate_flags

),

candidate_preference as (

    select
        *,
        row_number() over (
            partition by product
            order by
                case when is_eligible then 0 else 1 end,
                {%- if recommend_by == 'retention_lift' %}
                retention_lift desc nulls last,
                retained_orgs desc,
                {%- else %}
                retained_orgs desc,
                retention_lift desc nulls last,
                {%- endif %}
                candidate_index
        ) as preference
    from candidate_eligibility

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
    cast(preference = 1 and is_eligible as {{ dbt.type_boolean() }}) as is_recommended
from candidate_preference
