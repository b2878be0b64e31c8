{#- Discovery (docs/evidence.md): which behaviours inside the activation
    window go with survival. Per product, over its mature intent months, the
    var signals_top_events event names its intent organizations perform most
    (by organizations) inside the product's activation window, each at every
    count of var signals_thresholds: how many organizations reach it, how
    many of those survive, and their relative survival against the
    organizations that do not reach it, with 95% intervals (contract 6a),
    ranked. Any event name, tracked or not, so its own pass over the source.
    Built only when asked (var build_signals: see `enabled` below). -#}
-- depends_on: {{ ref('int_activation_products') }}
-- depends_on: {{ ref('int_activation_clock') }}
{#- enabled by a var, not left out by a tag: with it unset the model is not in
    the graph at all, so no selection of the scheduled job, nor a plain
    `dbt build`, can build it or read the whole source for it -#}
{{ config(enabled=var('build_signals'), order_by='(product, signal_rank)') }}

{%- set products = activation.declared_products() %}
{%- do activation.ref_product_models() %}

with

clock as (

    select as_of from {{ ref('int_activation_clock') }}

),

mature_intents as (
{%- for product in products %}
{%- set spec = product.spec %}

    select
        {{ activation.string_literal(spec.product) }} as product,
        org_id,
        intent_at,
        {{ dbt.dateadd('day', spec.activation_window_days, 'intent_at') }} as activation_window_end,
        survived
    from {{ activation.product_relation(product) }}
    where {{ activation.is_mature_month(spec, '(select clock.as_of from clock)') }}
    {%- if not loop.last %}

    union all
    {%- endif %}
{%- else %}

    select
        cast(null as {{ dbt.type_string() }}) as product,
        cast(null as {{ dbt.type_string() }}) as org_id,
        cast(null as {{ activation.type_timestamp() }}) as intent_at,
        cast(null as {{ activation.type_timestamp() }}) as activation_window_end,
        cast(null as {{ dbt.type_boolean() }}) as survived
    where 1 = 0
{%- endfor %}

),

{#- every event of those organizations, named, timed and with a uuid (its
    properties are not read); intent events left out, as every intent
    organization has one -#}
source_events as (

    select
        event_uuid,
        event_name,
        event_at,
        org_id
    from (
        select
            {# trimmed only after the windows' join below: trimming every
                uuid of the source costs more than the rest of the read -#}
            cast(uuid as {{ dbt.type_string() }}) as event_uuid,
            {{ activation.typed_event_name() }} as event_name,
            {{ activation.source_event_time(source('posthog', 'events')) }} as event_at,
            {{ activation.source_org_id("coalesce(cast(properties as " ~ dbt.type_string() ~ "), '{}')") }} as org_id
        from {{ source('posthog', 'events') }}
    ) as typed_events
    where
        event_uuid is not null
        and event_name is not null
        and event_name not in ({{ activation.string_list(var('intent_events')) }})

),

{#- per organization, the span of its windows (one per product it has intent
    for): joined to every event first, one row per organization, so that the
    join does not repeat an event per product before the windows narrow it.
    (Filtering the events by organization before the join, with a semi-join,
    cost more than it saved: 3.8 against 2.5 s at 10M events on DuckDB.) -#}
org_spans as (

    select
        org_id,
        min(intent_at) as starts_at,
        max(activation_window_end) as ends_at
    from mature_intents
    group by org_id

),

span_events as (

    select
        source_events.org_id as org_id,
        source_events.event_uuid as event_uuid,
        source_events.event_name as event_name,
        source_events.event_at as event_at
    from source_events
    inner join org_spans
        on source_events.org_id = org_spans.org_id
    where
        source_events.event_at >= org_spans.starts_at
        and source_events.event_at < org_spans.ends_at

),

{#- per product and organization, each event name's count in the window:
    copies of a uuid count once -#}
org_event_counts as (

    select
        mature_intents.product as product,
        mature_intents.org_id as org_id,
        mature_intents.survived as survived,
        span_events.event_name as event_name,
        {#- a blank uuid (null after trimming) is not counted -#}
        count(distinct nullif({{ activation.trim_spaces('span_events.event_uuid') }}, '')) as event_count
    from span_events
    inner join mature_intents
        on span_events.org_id = mature_intents.org_id
    where
        span_events.event_at >= mature_intents.intent_at
        and span_events.event_at < mature_intents.activation_window_end
    group by mature_intents.product, mature_intents.org_id, mature_intents.survived, span_events.event_name

),

event_orgs as (

    select
        product,
        event_name,
        count(*) as orgs
    from org_event_counts
    group by product, event_name

),

ranked_events as (

    select
        product,
        event_name,
        row_number() over (partition by product order by orgs desc, event_name) as event_rank
    from event_orgs

),

thresholds as (
    {%- for threshold in var('signals_thresholds') | unique | sort %}

    select {{ threshold }} as min_events
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

signal_counts as (

    select
        org_event_counts.product as product,
        org_event_counts.event_name as event_name,
        ranked_events.event_rank as event_rank,
        thresholds.min_events as min_events,
        cast(sum(case when org_event_counts.event_count >= thresholds.min_events then 1 else 0 end)
            as {{ dbt.type_bigint() }}) as reached_orgs,
        cast(sum(
            case when org_event_counts.event_count >= thresholds.min_events and org_event_counts.survived
                then 1 else 0 end
        ) as {{ dbt.type_bigint() }}) as reached_survived_orgs
    from org_event_counts
    inner join ranked_events
        on
            org_event_counts.product = ranked_events.product
            and org_event_counts.event_name = ranked_events.event_name
    cross join thresholds
    where ranked_events.event_rank <= {{ var('signals_top_events') }}
    group by org_event_counts.product, org_event_counts.event_name, ranked_events.event_rank, thresholds.min_events

),

cohorts as (

    select
        product,
        cast(count(*) as {{ dbt.type_bigint() }}) as intent_orgs,
        cast(sum(case when survived then 1 else 0 end) as {{ dbt.type_bigint() }}) as survived_orgs
    from mature_intents
    group by product

),

signal_figures as (

    select
        signal_counts.product as product,
        signal_counts.event_name as event_name,
        signal_counts.event_rank as event_rank,
        signal_counts.min_events as min_events,
        cohorts.intent_orgs as intent_orgs,
        cohorts.survived_orgs as survived_orgs,
        signal_counts.reached_orgs as reached_orgs,
        signal_counts.reached_survived_orgs as reached_survived_orgs,
        cast(signal_counts.reached_survived_orgs as double) / nullif(signal_counts.reached_orgs, 0)
            as reached_survival_rate,
        {%- for bound in ['low', 'high'] %}
        {{ activation.wilson_interval('signal_counts.reached_survived_orgs', 'signal_counts.reached_orgs', bound) }}
            as reached_survival_rate_{{ bound }},
        {%- endfor %}
        {%- set cells = ['signal_counts.reached_survived_orgs', 'signal_counts.reached_orgs',
            'cohorts.survived_orgs - signal_counts.reached_survived_orgs',
            'cohorts.intent_orgs - signal_counts.reached_orgs'] %}
        {{ activation.relative_survival(cells[0], cells[1], cells[2], cells[3]) }} as relative_survival,
        {{ activation.relative_survival(cells[0], cells[1], cells[2], cells[3], part='low') }}
            as relative_survival_low,
        {{ activation.relative_survival(cells[0], cells[1], cells[2], cells[3], part='high') }}
            as relative_survival_high
    from signal_counts
    inner join cohorts
        on signal_counts.product = cohorts.product

)

select
    product,
    {#- the strongest evidence first: the highest lower bound of the relative
        survival (a small sample's high estimate has a low bound), then the
        most organizations reached -#}
    row_number() over (
        partition by product
        order by
            coalesce(relative_survival_low, 0) desc,
            reached_orgs desc,
            event_name,
            min_events
    ) as signal_rank,
    event_name,
    event_rank,
    min_events,
    intent_orgs,
    survived_orgs,
    reached_orgs,
    reached_survived_orgs,
    reached_survival_rate,
    reached_survival_rate_low,
    reached_survival_rate_high,
    relative_survival,
    relative_survival_low,
    relative_survival_high,
    cast(coalesce(relative_survival_low > 1, false) as {{ dbt.type_boolean() }}) as is_separation_shown
from signal_figures
