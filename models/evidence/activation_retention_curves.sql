{#- Retention curves (contract 6a): per product, intent month and month k
    after intent (1 .. var retention_curve_months), the share of the
    activated, and of the not activated, that meet the product's survival
    criteria in [intent_at + k months, intent_at + k+1 months). A point
    exists once that window has closed for every organization of the month.
    Its own pass over each product's events (the product models evaluate
    month 3 only), every month in one pass: one criteria group per month. -#}
-- depends_on: {{ ref('int_activation_products') }}
-- depends_on: {{ ref('int_activation_clock') }}
-- depends_on: {{ ref('stg_events') }}
{#- built only when asked (var build_retention_curves), like
    activation_signals: it reads 13 months of every organization's survival
    events again on every build, which at 1M events already costs about 10%
    of the scheduled build's models (docs/evidence.md, "Cost") -#}
{{ config(enabled=var('build_retention_curves'), order_by='(product, intent_month, months_after_intent)') }}

{%- set products = activation.declared_products() %}
{%- do activation.ref_product_models() %}
{#- checked with the other vars before the run (validate_vars) -#}
{%- set horizon = var('retention_curve_months') %}

with

clock as (

    select as_of from {{ ref('int_activation_clock') }}

),

curve_months as (
    {%- for k in range(1, horizon + 1) %}

    select {{ k }} as months_after_intent
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

{%- for product in products %}
{%- set spec = product.spec %}
{%- set per_month = spec.survival_criteria | length %}
{%- set criteria = [] %}
{%- for k in range(1, horizon + 1) %}
    {%- for criterion in spec.survival_criteria %}
        {%- do criteria.append(dict(criterion,
            starts_at=dbt.dateadd('month', k, 'intent_at'),
            ends_at=dbt.dateadd('month', k + 1, 'intent_at'))) %}
    {%- endfor %}
{%- endfor %}

{#- (organization, k) for every month k whose survival criteria it met;
    nested, since window_events and criteria_met name their CTEs alike for
    every product -#}
{{ product.model }}_survived_months as (

    with

    intents as (

        select
            org_id,
            intent_at
        from {{ activation.product_relation(product) }}

    ),

    {{ activation.window_events('intents', activation.criteria_event_names(criteria),
        dbt.dateadd('month', horizon + 1, 'intents.intent_at')) }},

    {{ activation.criteria_met(criteria) }},

    {#- criteria are in month order, per_month of them each -#}
    met_months as (

        select
            org_id,
            case
                {%- for k in range(1, horizon + 1) %}
                when criterion_index < {{ k * per_month }} then {{ k }}
                {%- endfor %}
            end as months_after_intent
        from criteria_met

    )

    select
        {{ activation.string_literal(spec.product) }} as product,
        org_id,
        months_after_intent,
        1 as survived
    from met_months
    group by org_id, months_after_intent
    having count(*) = {{ per_month }}

),
{%- endfor %}

survived_months as (
{%- for product in products %}

    select
        product,
        org_id,
        months_after_intent,
        survived
    from {{ product.model }}_survived_months
    {%- if not loop.last %}

    union all
    {%- endif %}
{%- else %}

    select
        cast(null as {{ dbt.type_string() }}) as product,
        cast(null as {{ dbt.type_string() }}) as org_id,
        0 as months_after_intent,
        1 as survived
    where 1 = 0
{%- endfor %}

),

product_outcomes as (

    {{ activation.product_outcomes() }}

),

org_months as (

    select
        product_outcomes.product as product,
        product_outcomes.intent_month as intent_month,
        product_outcomes.activated as activated,
        curve_months.months_after_intent as months_after_intent,
        {#- no row: not survived (coalesce, as ClickHouse may fill 0 for null) -#}
        coalesce(survived_months.survived, 0) = 1 as survived
    from product_outcomes
    cross join curve_months
    left join survived_months
        on
            product_outcomes.product = survived_months.product
            and product_outcomes.org_id = survived_months.org_id
            and curve_months.months_after_intent = survived_months.months_after_intent

),

curve_counts as (

    select
        product,
        intent_month,
        months_after_intent,
        cast(sum(case when activated then 1 else 0 end) as {{ dbt.type_bigint() }}) as activated_orgs,
        cast(sum(case when activated and survived then 1 else 0 end) as {{ dbt.type_bigint() }})
            as activated_survived_orgs,
        cast(sum(case when activated then 0 else 1 end) as {{ dbt.type_bigint() }}) as not_activated_orgs,
        cast(sum(case when not activated and survived then 1 else 0 end) as {{ dbt.type_bigint() }})
            as not_activated_survived_orgs
    from org_months
    group by product, intent_month, months_after_intent

)

select
    curve_counts.product,
    curve_counts.intent_month,
    curve_counts.months_after_intent,
    {%- for group in ['activated', 'not_activated'] %}
    curve_counts.{{ group }}_orgs,
    curve_counts.{{ group }}_survived_orgs,
    cast(curve_counts.{{ group }}_survived_orgs as double)
    / nullif(curve_counts.{{ group }}_orgs, 0) as {{ group }}_survival_rate,
    {%- for bound in ['low', 'high'] %}
    {{ activation.wilson_interval(
        'curve_counts.' ~ group ~ '_survived_orgs', 'curve_counts.' ~ group ~ '_orgs', bound) }}
        as {{ group }}_survival_rate_{{ bound }}{{ ',' if not (loop.last and group == 'not_activated') }}
    {%- endfor %}
    {%- endfor %}
from curve_counts
cross join clock
{#- the month's windows [intent + k, intent + k+1) have all closed #}
where {{ activation.is_final('clock.as_of',
    activation.month_survival_end('curve_counts.intent_month', 'curve_counts.months_after_intent + 1')) }}
