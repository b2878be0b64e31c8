{#- The events the models read, as a mapping from event name to the sorted
    list of what reads it ('intent', or a product declaring it in its
    activation, survival or candidate criteria). Empty at parse time.

    stg_events_classified stores the rows of these events only: in PostHog's
    events most rows are $pageview, $autocapture and the like, which no model
    reads (94% of the sample data). -#}
{% macro tracked_events() %}
    {%- set readers = {} -%}
    {%- if execute -%}
        {%- for name in var('intent_events') -%}
            {%- do readers.setdefault(name, []).append('intent') -%}
        {%- endfor -%}
        {%- for product in activation.declared_products() -%}
            {%- set spec = product.spec -%}
            {#- extended in place: a `set` inside a loop would not outlive it -#}
            {%- set criteria = spec.activation_criteria + spec.survival_criteria -%}
            {%- for candidate in spec.get('candidates', []) -%}
                {%- do criteria.extend(candidate.activation_criteria) -%}
            {%- endfor -%}
            {%- for name in criteria | map(attribute='event') | unique -%}
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


{#- True when the stored stg_events_classified (and so stg_product_intents)
    may not hold exactly the tracked events' rows: the names stg_tracked_events recorded after the
    last run differ from tracked_event_names() (a product or criterion added
    or removed), or that record is missing. The staging then reads the whole
    source again: a new name's history is in no stored row. -#}
{% macro tracked_events_changed() %}
    {%- set relation = activation.built_relation('stg_tracked_events') -%}
    {%- if relation is none -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set recorded = run_query('select event_name from ' ~ relation).columns[0].values()
        | sort(case_sensitive=true) -%}
    {{ return(recorded != activation.tracked_event_names()) }}
{% endmacro %}
