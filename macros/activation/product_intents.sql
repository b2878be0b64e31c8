{#- The first intents that make organizations the product's (SQL): one row
    per organization whose first non-cross-sell intent is for it, among the
    intents from the allowed contexts and passing the intent conditions when
    the definition has them. When they are ranked from the intent events,
    `among` (SQL, a predicate on org_id, see orgs_to_rank) narrows the
    organizations ranked; none: every organization. -#}
{% macro product_first_intents(spec, among=none) %}
    {%- if activation.ranks_intent_events(spec) %}
    {%- set where = ["product = " ~ activation.string_literal(spec.product)] %}
    {%- if among is not none %}
        {%- do where.append(among) %}
    {%- endif %}
    {%- if spec.intent_contexts %}
        {%- do where.append("intent_context in (" ~ activation.string_list(spec.intent_contexts) ~ ")") %}
    {%- endif %}
    {%- if spec.get('intent_conditions') %}
        {%- do where.append(activation.conditions_sql('properties', spec.intent_conditions)) %}
    {%- endif %}
    {{ activation.first_intents(where=where | join(' and ')) }}
    {%- else %}
    select *
    from {{ ref('stg_product_intents') }}
    where product = {{ activation.string_literal(spec.product) }}
    {%- endif %}
{% endmacro %}


{#- A predicate on org_id (SQL): the organizations with an event named in
    `event_names`, or an intent event, stored in stg_events_classified at or
    after `since`, accepted or rejected: those whose first intent an
    incremental run ranks again; `1 = 1` (every organization) when the
    list would be too long (org_id_among). The ids are inlined: DuckDB does
    not push a semi-join below the JSON parsing of the intent events. On ClickHouse, with the first
    intents computed once (computed_once), the narrowing takes
    product_product_analytics from 1.8 to 1.5 s at 100M events (0.05 s
    slower at 10M): the ranking no longer grows with the history. -#}
{% macro orgs_to_rank(since, event_names) -%}
    {{ return(activation.org_id_among(activation.orgs_with_events_since(since, event_names))) }}
{%- endmacro %}


{#- Whether a product's first intents are ranked from the intent events
    (its definition names intent contexts or conditions) rather than read
    from stg_product_intents. -#}
{% macro ranks_intent_events(spec) %}
    {{ return(spec.intent_contexts or spec.get('intent_conditions')) }}
{% endmacro %}


{#- A product model's pre-hook on incremental runs: deletes the rows the run
    would not write again. Every row when the definition changed since the
    last run (the run then computes every organization again; some may no
    longer qualify, e.g. with new intent_contexts). Otherwise the rows of
    organizations that no longer have a first intent for the product: a
    winning copy of their intent event (stamped earlier, same uuid) names
    another organization, another product or a cross-sell. Only organizations
    with an intent event at or after the look-back's cutoff can be such: when
    the first intents are ranked from the intent events, only theirs are.
    delete+insert only replaces the organizations the run writes, so their
    rows would stay. -#}
{% macro delete_stale_product_rows() %}
    {%- if execute and is_incremental() -%}
        {%- set spec = model.config.meta.activation -%}
        {%- if activation.product_redefined(spec) -%}
            delete from {{ this }} where 1 = 1
        {%- else -%}
            {#- an organization's first intent changes only with an intent
                event the staging wrote again, which is at or after the
                staging's cutoff (its latest accepted event less the
                look-back), never before this one (the latest stored intent,
                no later than the latest accepted event, less the look-back) -#}
            {%- set since = activation.late_arrival_cutoff(this, 'intent_at')
                if activation.ranks_intent_events(spec) else none -%}
            {%- set among = activation.orgs_to_rank(since, []) if since is not none else none -%}
            {%- set stale_rows -%}
                from {{ this }} where {{ among or '1 = 1' }} and org_id not in (
                    select product_intents.org_id
                    from ({{ activation.product_first_intents(spec, among) }}) as product_intents
                )
            {%- endset -%}
            {#- counted first: there are seldom any, and on ClickHouse a
                delete is a mutation that evaluates its condition several
                times (0.8-2.7 s at 100M events, against 0.3 s to count) -#}
            {%- if run_query('select count(*) ' ~ stale_rows).columns[0].values()[0] > 0 -%}
                delete {{ stale_rows }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
