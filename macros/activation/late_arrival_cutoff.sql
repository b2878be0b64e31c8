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
    {%- set cutoff = latest - modules.datetime.timedelta(days=activation.setting('late_arrival_days')) -%}
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
        ({{ column }} >= {{ since }} or {{ activation.time_is_null(column) }}
        or {{ column }} < {{ activation.timestamp_literal(activation.setting('min_event_timestamp')) }})
    {%- endif -%}
{%- endmacro %}


{#- The latest accepted event stored in `relation` (stg_events_classified)
    less the look-back, or none. Rejected rows do not count: one stamped far
    in the future would move it past every real event. -#}
{% macro accepted_events_cutoff(relation) %}
    {{ return(activation.late_arrival_cutoff(relation, 'event_at', where='rejection_reason is null')) }}
{% endmacro %}


{#- stg_events_classified's watermark: accepted_events_cutoff of its stored
    rows. None (read everything) when the tracked events changed since the
    last run. -#}
{% macro classified_events_cutoff() %}
    {%- if execute and activation.tracked_events_changed() -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(activation.accepted_events_cutoff(this)) }}
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


{#- The organizations with an event named in `event_names`, or an intent
    event, stored in stg_events_classified at or after `since`, accepted or
    rejected (a copy that lost to an earlier one naming another organization
    takes the event away from the one it named), as a list of org ids. None
    means all of them: a list longer than `most_characters` once quoted
    (ClickHouse's max_query_size is 256 KiB; 200,000 characters are 5,000
    UUID keys), where computing everything again costs little more. The ids
    are inlined in the SQL because DuckDB does not push a semi-join on them
    below the JSON parsing of every intent event (1.4M at 100M events: 0.92 s
    vs 0.22 s with the literal list, measured). -#}
{% macro orgs_with_events_since(since, event_names, most_characters=200000) %}
    {%- set names = (event_names + activation.setting('intent_events')) | unique | list -%}
    {%- set orgs = run_query(
        'select distinct org_id from ' ~ ref('stg_events_classified')
        ~ ' where event_name in (' ~ activation.string_list(names) ~ ') and event_at >= ' ~ since
        ~ ' and org_id is not null order by org_id').columns[0].values() | list -%}
    {%- set characters = (orgs | map('length') | sum) + 4 * (orgs | length) -%}
    {{ return(none if characters > most_characters else orgs) }}
{% endmacro %}


{#- The organizations stg_product_intents computes again on an incremental
    run, as a list of org ids (none: all of them): those with intent events
    at or after its cutoff, or all when there is no cutoff. -#}
{% macro product_intents_to_recompute() %}
    {%- set since = activation.product_intents_cutoff() -%}
    {{ return(none if since is none else activation.orgs_with_events_since(since, [])) }}
{% endmacro %}


{#- A predicate selecting the organizations in `orgs` (a list of org ids;
    none: every organization). -#}
{% macro org_id_among(orgs) -%}
    {%- if orgs is none -%}
        1 = 1
    {%- elif orgs -%}
        org_id in ({{ activation.string_list(orgs) }})
    {%- else -%}
        1 = 0
    {%- endif -%}
{%- endmacro %}


{#- stg_product_intents' pre-hook: deletes the rows of the organizations the
    run computes again. Nothing on a full refresh or a first run. -#}
{% macro delete_product_intents_read_again() %}
    {%- if execute and is_incremental() -%}
        delete from {{ this }} where {{ activation.org_id_among(activation.product_intents_to_recompute()) }}
    {%- endif -%}
{% endmacro %}
