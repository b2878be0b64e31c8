{#- The earliest event time an incremental run must re-read: the latest
    `column` already in `relation` (among rows matching `where`), less
    var('late_arrival_days'). None when there is no such row, which means:
    read everything. Returned as a timestamp literal so that the engine can
    prune the scan with it. -#}
{% macro late_arrival_cutoff(relation, column, where=none) %}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set latest_sql = 'select max(' ~ column ~ ') from ' ~ relation ~ (' where ' ~ where if where else '') -%}
    {%- set latest = run_query(latest_sql).columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set cutoff = latest - modules.datetime.timedelta(days=var('late_arrival_days')) -%}
    {{ return(activation.timestamp_literal(cutoff.strftime('%Y-%m-%d %H:%M:%S.%f'))) }}
{% endmacro %}


{#- The rows an incremental run of stg_events_classified reads again, as a
    predicate on a timestamp `column`: those at or after `since` (none: every
    row), and the rows with no usable time, which no cutoff can place (null,
    or before var('min_event_timestamp')). The same predicate selects the
    source rows to read and the stored rows to delete first, so every source
    row is stored exactly once. -#}
{% macro read_again(column, since) -%}
    {%- if since is none -%}
        1 = 1
    {%- else -%}
        ({{ column }} >= {{ since }} or {{ column }} is null
        or {{ column }} < {{ activation.timestamp_literal(var('min_event_timestamp')) }})
    {%- endif -%}
{%- endmacro %}


{#- stg_events_classified's watermark: the latest accepted event less the
    look-back. Rejected rows do not count: one stamped far in the future
    would move it past every real event. None (read everything) when the
    tracked events changed since the last run. -#}
{% macro classified_events_cutoff() %}
    {%- if execute and activation.tracked_events_changed() -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(activation.late_arrival_cutoff(this, 'event_at', where='rejection_reason is null')) }}
{% endmacro %}


{#- stg_events_classified's pre-hook: deletes the stored rows this run reads
    again from the source. Nothing on a full refresh or a first run. The
    cutoff is computed again here, and is the model's own: dbt compiles the
    model before it renders the hooks, so both read the table before this
    delete. -#}
{% macro delete_rows_read_again() %}
    {%- if execute and is_incremental() -%}
        delete from {{ this }} where {{ activation.read_again('event_at', activation.classified_events_cutoff()) }}
    {%- endif -%}
{% endmacro %}


{#- stg_product_intents' watermark: its latest first intent less the
    look-back. The latest first intent is no later than the latest accepted
    event, so this is never after stg_events_classified's own cutoff: every
    intent row that run changed is at or after it. None (compute every
    organization) when the tracked events changed, since the staging then
    read the whole source again. -#}
{% macro product_intents_cutoff() %}
    {%- if execute and activation.tracked_events_changed() -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(activation.late_arrival_cutoff(this, 'intent_at')) }}
{% endmacro %}


{#- A select of the organizations with an intent event stored at or after
    `since`, accepted or rejected (a copy that lost to an earlier one naming
    another organization takes the intent away from the one it named). -#}
{% macro orgs_with_intent_events(since) -%}
    select org_id
    from {{ ref('stg_events_classified') }}
    where
        event_name in ({{ activation.string_list(var('intent_events')) }})
        and event_at >= {{ since }}
        and org_id is not null
{%- endmacro %}


{#- stg_product_intents' pre-hook: deletes the rows of the organizations the
    run computes again (all of them when there is no cutoff). Nothing on a
    full refresh or a first run. -#}
{% macro delete_product_intents_read_again() %}
    {%- if execute and is_incremental() -%}
        {%- set since = activation.product_intents_cutoff() -%}
        delete from {{ this }} where
        {%- if since is none %} 1 = 1
        {%- else %} org_id in ({{ activation.orgs_with_intent_events(since) }})
        {%- endif %}
    {%- endif -%}
{% endmacro %}
