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
    where {{ activation.is_mature_month(spec, '(select clock.as_of from clock)') }}

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

{#- contract 6a: the uncertainty of each rate, and whether the activated
    retain better than the others (relative survival, Katz interval) -#}
candidate_intervals as (

    select
        *,
        {%- for rate, successes, trials in [
            ('activation_rate', 'activated_orgs', 'intent_orgs'),
            ('baseline_survival_rate', 'survived_orgs', 'intent_orgs'),
            ('retention_rate', 'retained_orgs', 'activated_orgs')] %}
        {%- for bound in ['low', 'high'] %}
        {{ activation.wilson_interval(successes, trials, bound) }} as {{ rate }}_{{ bound }},
        {%- endfor %}
        {%- endfor %}
        {%- set cells = ['retained_orgs', 'activated_orgs', 'survived_orgs - retained_orgs',
            'intent_orgs - activated_orgs'] %}
        {{ activation.relative_survival(cells[0], cells[1], cells[2], cells[3]) }} as relative_survival,
        {{ activation.relative_survival(cells[0], cells[1], cells[2], cells[3], part='low') }} as relative_survival_low,
        {{ activation.relative_survival(cells[0], cells[1], cells[2], cells[3], part='high') }} as relative_survival_high,
        {#- The deciding figure's interval. Every candidate of a product has
            the same intent organizations and baseline, so the lift ranks as
            retention_rate does (its interval: retention_rate's), and
            retained_orgs as the share of intent organizations retained. -#}
        {%- set deciding = ('retained_orgs', 'activated_orgs') if recommend_by == 'retention_lift'
            else ('retained_orgs', 'intent_orgs') %}
        {{ activation.wilson_interval(deciding[0], deciding[1], 'low') }} as deciding_low,
        {{ activation.wilson_interval(deciding[0], deciding[1], 'high') }} as deciding_high
    from candidate_eligibility

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
    from candidate_intervals

),

{#- the runner-up: the next eligible candidate in preference order -#}
candidate_runner_up as (

    select
        *,
        max(case when preference = 2 and is_eligible then deciding_high end)
            over (partition by product) as runner_up_deciding_high
    from candidate_preference

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
    cast(preference = 1 and is_eligible as {{ dbt.type_boolean() }}) as is_recommended,
    {%- for rate in ['activation_rate', 'baseline_survival_rate', 'retention_rate', 'relative_survival'] %}
    {{ rate }}_low,
    {{ rate }}_high,
    {%- endfor %}
    relative_survival,
    {#- false for a definition not shown to single out organizations that
        retain better: its interval includes 1 (or lies below it, or is null) -#}
    cast(coalesce(relative_survival_low > 1, false) as {{ dbt.type_boolean() }}) as is_separation_shown,
    {#- the recommended row only: its interval on the deciding figure lies
        above the runner-up's (no runner-up: nothing to overlap) -#}
    cast(
        case
            when preference = 1 and is_eligible
                then coalesce(deciding_low > runner_up_deciding_high, runner_up_deciding_high is null)
        end as {{ dbt.type_boolean() }}
    ) as is_lead_clear
from candidate_runner_up
