{#- Writes a product's incremental activation model: one row per
    organization whose first non-cross-sell intent is for `product`, with
    whether (and when) it activated and whether it survived.
    See docs/overview.md and the README for the definitions. -#}
{% macro product_activation(
    product,
    activation_criteria,
    survival_criteria,
    activation_window_days=30,
    survival_window_months=[3, 4],
    intent_contexts=none,
    intent_conditions=none,
    candidates=none
) %}
{%- set spec = activation.validate_product_activation(
    product=product,
    activation_criteria=activation_criteria,
    activation_window_days=activation_window_days,
    survival_criteria=survival_criteria,
    survival_window_months=survival_window_months,
    intent_contexts=intent_contexts,
    intent_conditions=intent_conditions,
    candidates=candidates,
    unknown_arguments=kwargs.keys() | list,
) -%}
{%- do activation.require_listed_product_model(spec.product) -%}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='org_id',
    on_schema_change=activation.schema_change_policy(),
    order_by='org_id',
    tags=['activation_product'],
    meta={'activation': spec},
    pre_hook="{{ activation.delete_stale_product_rows() }}",
) }}

{%- set columns = activation.product_columns() | map(attribute=0) | list %}

{%- if execute %}
    {#- raises when another model declares the same product -#}
    {%- do activation.declared_products() -%}
    {#- not when only compiling (compile, show, docs generate): the SQL is
        still right to read, and the run will stop -#}
    {%- if is_incremental() and flags.WHICH not in ['compile', 'show', 'generate'] %}
        {%- do activation.require_stored_columns(product, columns) -%}
    {%- endif %}
{%- endif %}

{%- set activation_end = dbt.dateadd('day', spec.activation_window_days, 'intent_at') -%}
{%- set survival_start = dbt.dateadd('month', spec.survival_window_months[0], 'intent_at') -%}
{%- set survival_end = dbt.dateadd('month', spec.survival_window_months[1], 'intent_at') -%}
{#- All criteria in one list, in groups: the activation criteria, the
    survival criteria, then each candidate's. One pass over the events
    evaluates them all. -#}
{%- set activation_group = {'column': 'activation_met', 'criteria': spec.activation_criteria,
    'starts_at': none, 'ends_at': activation_end} -%}
{%- set survival_group = {'column': 'survival_met', 'criteria': spec.survival_criteria,
    'starts_at': survival_start, 'ends_at': survival_end} -%}
{%- set candidate_groups = [] -%}
{%- for candidate in spec.candidates -%}
    {%- do candidate_groups.append({
        'name': candidate.name,
        'column': 'candidate_' ~ candidate.name ~ '_met',
        'criteria': candidate.activation_criteria,
        'starts_at': none,
        'ends_at': dbt.dateadd('day', candidate.activation_window_days, 'intent_at'),
    }) -%}
{%- endfor -%}
{%- set groups = [activation_group, survival_group] + candidate_groups -%}
{#- each group's criteria take the next positions (criterion_index) in the
    list; `met` is whether an organization met all of them (SQL, over
    org_progress; coalesce: no progress row means none met, and ClickHouse
    fills unmatched outer-join columns with 0, not null) -#}
{%- set criteria = [] -%}
{%- for group in groups -%}
    {%- do group.update({
        'first': criteria | length,
        'last': (criteria | length) + (group.criteria | length) - 1,
        'met': 'coalesce(org_progress.' ~ group.column ~ ', 0) = ' ~ group.criteria | length,
    }) -%}
    {%- for criterion in group.criteria -%}
        {%- do criteria.append(dict(criterion, starts_at=group.starts_at, ends_at=group.ends_at)) -%}
    {%- endfor -%}
{%- endfor -%}
{%- set event_names = activation.criteria_event_names(criteria) -%}
{%- if execute and model.resource_type == 'model' and flags.WHICH in ['run', 'build'] %}
    {%- do activation.require_events_staged(spec.product, event_names) -%}
{%- endif %}
{%- set windows_end = activation.latest_of(groups | map(attribute='ends_at') | list) -%}
{#- no cutoff (every organization computed again, after the pre-hook emptied
    the table) when the definition changed since the last run -#}
{%- set since = activation.late_arrival_cutoff(this, 'intent_at')
    if is_incremental() and not activation.product_redefined(spec) else none -%}
{#- outside the incremental branch, so that dbt sees the dependency when parsing -#}
{%- set classified_events = ref('stg_events_classified') %}
{#- every product model depends on stg_product_intents, also one whose
    intent_contexts or intent_conditions read stg_intent_events instead, so
    that `stg_product_intents+` selects them all -#}
{%- do ref('stg_product_intents') %}
{%- set refreshing = is_incremental() and since is not none %}
{#- A product whose first intents are ranked from the intent events (intent
    contexts or conditions) ranks, on an incremental run, those of the
    organizations that may be touched only (touched_orgs, below, is among
    them): the intent events grow with the history (2.9 s of a 100M-event
    hourly run on DuckDB, 0.56 s so; see orgs_to_rank). The
    others read stg_product_intents, one row per organization, where listing
    them costs more than it saves. -#}
{%- set refresh_among = activation.orgs_to_rank(since, event_names)
    if refreshing and activation.ranks_intent_events(spec) else none %}
{%- set intent_columns = ['org_id', 'intent_at', 'intent_month', 'intent_context'] %}

with

product_intents as (

    {#- read several times below: ranked from the intent events, the first
        intents are computed once (on ClickHouse each read ranked them again,
        4.8 s of a 100M-event hourly run); read from stg_product_intents,
        each read is a lookup of its sort key, and what is read of them
        several times (touched_orgs, intents) is computed once below -#}
    {%- if activation.ranks_intent_events(spec) %}
    {{ activation.computed_once(
        activation.product_first_intents(spec, refresh_among), intent_columns) }}
    {%- else %}
    {{ activation.product_first_intents(spec) }}
    {%- endif %}

),

{%- if refreshing %}

{#- Organizations whose outcome can change, computed again from their events:
    after the last run's latest intent less the late-arrival look-back, those
    with a new or earlier intent or with an event the criteria look at before
    their windows end. The other organizations keep their outcome and have
    their finality flags judged again (reflagged_outcomes): an event after an
    organization's windows cannot change it, so an hourly run reads the
    events of the organizations whose windows are open, not of every
    organization that is still active. -#}
{%- set touched_rows -%}
    {#- distinct: the second select gives a row per recent event -#}
    select distinct touched.org_id as org_id
    from (
        select org_id
        from product_intents
        where intent_at >= {{ since }}

        union all

        select product_intents.org_id
        from product_intents
        inner join (
            {# rejected rows too: a copy that lost to an earlier one with another
                organization takes the event away from the organization it named #}
            select
                org_id,
                event_at
            from {{ classified_events }}
            where
                event_name in ({{ activation.string_list(event_names) }})
                and event_at >= {{ since }}
                and org_id is not null
        ) as recent_events
            on product_intents.org_id = recent_events.org_id
        where recent_events.event_at < {{ windows_end }}
    ) as touched
{%- endset %}

{#- touched_orgs and intents are read several times below and hold the few
    hundred organizations of an hourly run: computed once (on ClickHouse,
    which otherwise computes them again at each read: a product's select
    in a 100M-event hourly run 0.40 -> 0.18 s) -#}
touched_orgs as (

    {{ activation.computed_once(touched_rows, ['org_id']) }}

),
{%- endif %}

{%- set intents_read -%}
    select {{ intent_columns | join(', ') }}
    from product_intents
    {%- if refreshing %}
    where org_id in (select touched_orgs.org_id from touched_orgs)
    {%- endif %}
{%- endset %}

intents as (

    {% if refreshing -%}
    {{ activation.computed_once(intents_read, intent_columns) }}
    {%- else -%}
    {{ intents_read }}
    {%- endif %}

),

{{ activation.window_events('intents', event_names, windows_end) }},

{{ activation.criteria_met(criteria) }},

{#- per organization, how many criteria of each group it met, and when the
    last activation criterion was met -#}
org_progress as (

    select
        org_id,
        {%- for group in groups %}
        count(case when criterion_index between {{ group.first }} and {{ group.last }} then 1 end)
            as {{ group.column }},
        {%- endfor %}
        max(case when criterion_index <= {{ activation_group.last }} then met_at end)
            as last_activation_criterion_met_at
    from criteria_met
    group by org_id

),

org_outcomes as (

    select
        intents.org_id,
        intents.intent_at,
        intents.intent_month,
        intents.intent_context,
        {{ activation_group.met }} as activated,
        org_progress.last_activation_criterion_met_at,
        {{ survival_group.met }} as survived,
        {#- the names of the candidates met, each behind a comma; the first comma goes below -#}
        {%- if candidate_groups %}
        {%- set parts = [] %}
        {%- for group in candidate_groups %}
            {%- do parts.append("case when " ~ group.met ~ " then "
                ~ activation.string_literal(',' ~ group.name) ~ " else '' end") %}
        {%- endfor %}
        {{ dbt.concat(parts) if parts | length > 1 else parts[0] }} as candidates_met,
        {%- else %}
        '' as candidates_met,
        {%- endif %}
        {{ activation_end }} as activation_window_end,
        {{ survival_end }} as survival_window_end
    from intents
    left join org_progress
        on intents.org_id = org_progress.org_id

),

recomputed_outcomes as (

    select
        org_outcomes.org_id,
        {{ activation.string_literal(product) }} as product,
        org_outcomes.intent_at,
        org_outcomes.intent_month,
        org_outcomes.intent_context,
        cast(org_outcomes.activated as {{ dbt.type_boolean() }}) as activated,
        case when org_outcomes.activated then org_outcomes.last_activation_criterion_met_at end as activated_at,
        cast(org_outcomes.survived as {{ dbt.type_boolean() }}) as survived,
        cast(org_outcomes.activated and org_outcomes.survived as {{ dbt.type_boolean() }}) as retained,
        cast(substr(org_outcomes.candidates_met, 2) as {{ dbt.type_string() }}) as activated_candidates,
        cast({{ activation.string_literal(activation.definition_hash(spec)) }} as {{ dbt.type_string() }})
            as definition_hash,
        {{ activation.is_final('clock.as_of', 'org_outcomes.activation_window_end') }} as activation_final,
        {{ activation.is_final('clock.as_of', 'org_outcomes.survival_window_end') }} as survival_final
    from org_outcomes
    cross join {{ ref('int_activation_clock') }} as clock

)
{%- if refreshing %},

{#- The untouched organizations: same events, so the same outcome; the
    clock moved, so their flags may not be the same. Final rows too: the
    clock can move back (var as_of set earlier, or dropped), and then a
    closed window is open again. Only rows whose flags change are written. -#}
reflagged_outcomes as (

    select
        {%- for column in columns if column not in ['activation_final', 'survival_final'] %}
        stored.{{ column }},
        {%- endfor %}
        stored.activation_final as was_activation_final,
        stored.survival_final as was_survival_final,
        {{ activation.is_final('clock.as_of', activation_end) }} as activation_final,
        {{ activation.is_final('clock.as_of', survival_end) }} as survival_final
    from {{ this }} as stored
    cross join {{ ref('int_activation_clock') }} as clock
    where stored.org_id not in (select touched_orgs.org_id from touched_orgs)

)

select {{ columns | join(', ') }}
from recomputed_outcomes

union all

{# only the rows whose flags change are written again #}
select {{ columns | join(', ') }}
from reflagged_outcomes
where
    activation_final != was_activation_final
    or survival_final != was_survival_final
{%- else %}

select {{ columns | join(', ') }}
from recomputed_outcomes
{%- endif %}
{% endmacro %}


{#- Every product model's columns, in order, each with its type: what the
    model writes, what an incremental run finds stored, what the marts read. -#}
{% macro product_columns() %}
    {{ return([
        ('org_id', dbt.type_string()),
        ('product', dbt.type_string()),
        ('intent_at', activation.type_timestamp()),
        ('intent_month', 'date'),
        ('intent_context', dbt.type_string()),
        ('activated', dbt.type_boolean()),
        ('activated_at', activation.type_timestamp()),
        ('survived', dbt.type_boolean()),
        ('retained', dbt.type_boolean()),
        ('activated_candidates', dbt.type_string()),
        ('definition_hash', dbt.type_string()),
        ('activation_final', dbt.type_boolean()),
        ('survival_final', dbt.type_boolean()),
    ]) }}
{% endmacro %}


{#- Raises, naming the product, when the column names of the model's stored
    table are not `columns` (an upgrade of this project changed them):
    appending to it would lose values. Names only: on DuckDB dbt's own
    on_schema_change check also stops a change of type; ClickHouse would
    convert the values on insert (see schema_change_policy). -#}
{% macro require_stored_columns(product, columns) %}
    {%- set stored = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
    {%- if stored | sort != columns | sort -%}
        {{ exceptions.raise_compiler_error(
            "Product '" ~ product ~ "': the stored table " ~ this ~ " has the columns "
            ~ stored | join(', ') ~ " but the model writes " ~ columns | join(', ')
            ~ ". Rebuild it: dbt build --full-refresh --select " ~ model.name) }}
    {%- endif -%}
{% endmacro %}
