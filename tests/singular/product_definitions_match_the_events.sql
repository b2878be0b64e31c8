{#- What a product's definition names that the data has never had: a
    product key no organization has an intent for (stg_product_intents), an
    event its criteria name (activation, survival, candidates) that is not in
    stg_events, an intent context that none of its intents has
    (stg_intent_events). Most likely a typo, which shows nowhere else: the
    product just counts no organizations, or none activating. A warning, not
    an error: a product declared before its events ship is fine (the README's
    llm_observability example has no $ai_generation events in the sample).
    One row per product, kind ('product', 'event', 'intent_context') and
    named value, with the reason. The products come from the graph at run
    time; the refs below stay outside the loop, so dbt sees them at parse
    time and no depends_on line is needed. -#}
{{ config(severity='warn') }}

{%- set declared = [] %}
{%- for declared_product in activation.declared_products() %}
    {%- set spec = declared_product.spec %}
    {%- do declared.append({
        'product': spec.product, 'kind': 'product', 'value': spec.product,
        'reason': "no organization has an intent for this product key (no row in stg_product_intents): "
            ~ "is it the properties.product_key the intent events send?"}) %}
    {%- set places = [
        ('activation_criteria', spec.activation_criteria),
        ('survival_criteria', spec.survival_criteria)] %}
    {%- for candidate in spec.candidates %}
        {%- do places.append(("candidate '" ~ candidate.name ~ "'", candidate.activation_criteria)) %}
    {%- endfor %}
    {#- each event once per product, with every place that names it -#}
    {%- set named_by = {} %}
    {%- for place, criteria in places %}
        {%- for event in activation.criteria_event_names(criteria) if place not in named_by.get(event, []) %}
            {%- do named_by.update({event: named_by.get(event, []) + [place]}) %}
        {%- endfor %}
    {%- endfor %}
    {%- for event, names in named_by.items() %}
        {%- do declared.append({
            'product': spec.product, 'kind': 'event', 'value': event,
            'reason': "no event in stg_events has this name (named by " ~ names | join(', ')
                ~ "): criteria naming it are never met"}) %}
    {%- endfor %}
    {%- for context in spec.intent_contexts or [] %}
        {%- do declared.append({
            'product': spec.product, 'kind': 'intent_context', 'value': context,
            'reason': "no intent for this product has this intent_context (in stg_intent_events), "
                ~ "so intent_contexts admits no intent through it"}) %}
    {%- endfor %}
{%- endfor %}

with

{# a typed row that no query keeps, then one row per thing a definition names #}
declared as (

    select
        cast('' as {{ dbt.type_string() }}) as product,
        cast('' as {{ dbt.type_string() }}) as kind,
        cast('' as {{ dbt.type_string() }}) as named_value,
        cast('' as {{ dbt.type_string() }}) as reason
    where 1 = 0
    {%- for row in declared %}
    union all
    select
        {{ activation.string_literal(row.product) }} as product,
        {{ activation.string_literal(row.kind) }} as kind,
        {{ activation.string_literal(row.value) }} as named_value,
        {{ activation.string_literal(row.reason) }} as reason
    {%- endfor %}

),

{# what the data has, keyed as declared rows are: an event is no one product's #}
seen as (

    select
        'product' as kind,
        product as scope,
        product as named_value,
        1 as is_seen
    from {{ ref('stg_product_intents') }}
    group by product

    union all

    {# only the events some definition names: stg_events can be large #}
    select
        'event' as kind,
        '' as scope,
        event_name as named_value,
        1 as is_seen
    from {{ ref('stg_events') }}
    where
        event_name in (
            select declared.named_value
            from declared
            where declared.kind = 'event'
        )
    group by event_name

    union all

    select
        'intent_context' as kind,
        product as scope,
        intent_context as named_value,
        1 as is_seen
    from {{ ref('stg_intent_events') }}
    where intent_context is not null
    group by product, intent_context

)

{%- if activation.checks_recent_only() %}

{# the whole history is the question: left to the full checks (docs/scheduled-run.md);
    `seen`, not read, is not computed #}
select declared.*
from declared
where 1 = 0
{%- else %}

{# coalesce: ClickHouse fills unmatched outer-join columns with 0, not null #}
select declared.*
from declared
left join seen
    on
        declared.kind = seen.kind
        and case when declared.kind = 'event' then '' else declared.product end = seen.scope
        and declared.named_value = seen.named_value
where coalesce(seen.is_seen, 0) = 0
{%- endif %}
