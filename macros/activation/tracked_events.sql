{#- The events the models read, as a mapping from event name to the sorted
    list of what reads it ('intent', or a product declaring it in its
    activation, survival or candidate criteria). Empty at parse time.

    stg_events_classified stores the rows of these events only: in PostHog's
    events most rows are $pageview, $autocapture and the like, which no model
    reads (94% of the sample data). -#}
{% macro tracked_events() %}
    {%- set readers = {} -%}
    {%- if execute -%}
        {%- for name in activation.setting('intent_events') -%}
            {%- do readers.setdefault(name, []).append('intent') -%}
        {%- endfor -%}
        {%- for product in activation.declared_products() -%}
            {%- set spec = product.spec -%}
            {#- extended in place: a `set` inside a loop would not outlive it -#}
            {%- set criteria = spec.activation_criteria + spec.survival_criteria -%}
            {%- for candidate in spec.get('candidates', []) -%}
                {%- do criteria.extend(candidate.activation_criteria) -%}
            {%- endfor -%}
            {%- for name in activation.criteria_event_names(criteria) -%}
                {%- do readers.setdefault(name, []).append(spec.product) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(readers) }}
{% endmacro %}


{#- The names of tracked_events(), sorted. -#}
{% macro tracked_event_names() %}
    {#- case-sensitive: names differing only in case must sort the same way on every run -#}
    {{ return(activation.tracked_events().keys() | sort(case_sensitive=true)) }}
{% endmacro %}


{#- Whether a source row is stored by stg_events_classified, as a predicate
    on the source's columns: its typed event name is a tracked event, or
    there is no name at all (rejected, since nobody can tell what it was).
    Spelled on the trimmed name, '' standing for blank, not on
    typed_event_name's nullif(): the same rows, but DuckDB filters Parquet
    ten times faster this way (10M events: 0.22 -> 0.02 s to count them). -#}
{% macro is_tracked_event() -%}
    (event is null
    or {{ activation.trimmed_event_name() }} in ({{ activation.string_list([''] + activation.tracked_event_names()) }}))
{%- endmacro %}


{#- The vars that decide which rows the staging stores (and from which
    source), with which organization (org_key_record), which organizations
    are excluded (excluded_organizations_record), and which intents count,
    as JSON. stg_tracked_events
    records them, and every product model's rows with their definition (see
    definition_hash): changing one makes the next build read and compute
    everything again, as a --full-refresh would. -#}
{% macro staging_vars() %}
    {#- strings: --vars may give min_event_timestamp as a YAML date.
        reading: how the staging reads the source (3: ASCII spaces trimmed,
        product keys lower-cased with Unicode letters, zoned times as UTC,
        times cut to the microsecond); bumped when that changes, so that an
        upgrade reads everything again.
        source: where the events are read from (source_location); the rows
        of another source replace the stored ones rather than join them. -#}
    {#- the same throughout a node's render, which asks for it several times
        (each product's definition_hash, the staging's record), each a query
        of the source's columns and one of the seed: kept on the render's
        own copy of the node (`model`) -#}
    {%- if model is mapping and model.get('activation_staging_vars') is not none -%}
        {{ return(model['activation_staging_vars']) }}
    {%- endif -%}
    {%- set recorded = {
        'reading': 3,
        'source': activation.source_location(),
        'intent_events': activation.setting('intent_events') | map('string') | sort | list,
        'min_event_timestamp': activation.setting('min_event_timestamp') | string,
    } -%}
    {%- do recorded.update(activation.org_key_record()) -%}
    {%- do recorded.update(activation.excluded_organizations_record()) -%}
    {%- set recorded_json = tojson(recorded, sort_keys=true) -%}
    {%- if model is mapping -%}
        {%- do model.update({'activation_staging_vars': recorded_json}) -%}
    {%- endif -%}
    {{ return(recorded_json) }}
{% endmacro %}


{#- True when the stored stg_events_classified (and so stg_product_intents)
    may not hold exactly the tracked events' rows as the current vars read
    them: the names or the staging_vars() stg_tracked_events recorded after
    the last run differ from the current ones (a product or criterion added
    or removed, var org_key changed, ...), or that record is missing. The
    staging then reads the whole source again: a new name's history is in no
    stored row. -#}
{% macro tracked_events_changed() %}
    {%- set record = activation.staging_record() -%}
    {{ return(record is none or record.names != activation.tracked_event_names() or record.vars_differ) }}
{% endmacro %}


{#- What stg_tracked_events recorded after the last build of the staging:
    {'names': its event names, sorted; 'vars_differ': whether its
    staging_vars differ from this run's}, or none when there is no record
    (or one from before staging_vars). -#}
{% macro staging_record() %}
    {%- set relation = activation.built_relation('stg_tracked_events') -%}
    {%- if relation is none
        or 'staging_vars' not in adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set recorded = run_query('select event_name, staging_vars from ' ~ relation) -%}
    {{ return({
        'names': recorded.rows | map('first') | sort(case_sensitive=true),
        'vars_differ': recorded.rows | map('last') | reject('equalto', activation.staging_vars()) | list | length > 0,
    }) }}
{% endmacro %}


{#- Raises, naming the product, when a run builds a product model without
    stg_events_classified while the staging, as stg_tracked_events recorded
    it, has not read the history of some of `event_names` (a new product,
    or a new criterion) or read the source with other staging_vars(): the
    model would count none of those events' past, or the old organizations
    and intents. Also when the recorded names differ from this run's: the
    model would record (definition_hash) names the staging has not read
    with, and so miss the whole re-read the staging's next build does.
    With the staging in the run, it reads the source first. -#}
{% macro require_events_staged(product, event_names) %}
    {%- if activation.all_in_run(['stg_events_classified']) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set record = activation.staging_record() -%}
    {%- set unread = event_names | reject('in', record.names if record is not none else []) | list -%}
    {%- set advice = "Run a plain dbt build (or select what records the staging too: dbt build -s +"
        ~ model.name ~ " stg_tracked_events)." -%}
    {%- if record is not none and record.vars_differ -%}
        {{ exceptions.raise_compiler_error(
            "product '" ~ product ~ "': the staging read the source with other vars than this run's "
            ~ "(org_key, org_group_type, intent_events, min_event_timestamp, the seed excluded_organizations or "
            ~ "the source's location changed, or an upgrade of this "
            ~ "project reads the source otherwise), so " ~ model.name ~ " would read the old "
            ~ "organizations and intents. " ~ advice) }}
    {%- endif -%}
    {%- if unread -%}
        {{ exceptions.raise_compiler_error(
            "product '" ~ product ~ "': the staging has not read the history of " ~ unread | map('tojson') | join(', ')
            ~ " (not tracked when stg_events_classified last ran), so " ~ model.name ~ " would miss those events. "
            ~ advice) }}
    {%- endif -%}
    {%- if record is not none and record.names != activation.tracked_event_names() -%}
        {{ exceptions.raise_compiler_error(
            "product '" ~ product ~ "': the events the models read changed (a product, criterion or candidate "
            ~ "added or removed) since the staging last read the source; its next build reads the whole source "
            ~ "again, which " ~ model.name ~ " must follow. " ~ advice) }}
    {%- endif -%}
{% endmacro %}
