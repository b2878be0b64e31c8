{#- CTEs that find, per organization, when each criterion was met, from a CTE
    `window_events` (org_id, event_uuid, event_name, event_at, properties,
    intent_at). Each criterion is a dict: event, min_count, properties, and
    its window as SQL over intent_at: starts_at (none: intent_at) and
    ends_at (exclusive). The result, `criteria_met`, has one row per
    organization and criterion met: criterion_index (position in `criteria`)
    and met_at, the time of its N-th qualifying event (N = min_count).

    One pass over window_events whatever the number of criteria: each event
    is joined to the criteria on its event name, then each pair is checked
    against its own criterion. (A union of one filtered scan per criterion
    would read window_events once per criterion: ClickHouse inlines CTEs.) -#}
{% macro criteria_met(criteria) %}
criteria_list as (
    {%- for criterion in criteria %}

    select
        {{ loop.index0 }} as criterion_index,
        {{ activation.string_literal(criterion.event) }} as event_name,
        {{ criterion.min_count }} as min_count
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

{#- each event with every criterion on its event name (an event can meet several) -#}
event_criteria as (

    select
        window_events.org_id,
        window_events.intent_at,
        window_events.event_uuid,
        window_events.event_at,
        window_events.properties,
        criteria_list.criterion_index,
        criteria_list.min_count
    from window_events
    inner join criteria_list
        on window_events.event_name = criteria_list.event_name

),

criterion_matches as (

    select
        org_id,
        criterion_index,
        min_count,
        event_uuid,
        event_at
    from event_criteria
    where case criterion_index
        {%- for criterion in criteria %}
        when {{ loop.index0 }} then
            event_at < {{ criterion.ends_at }}
            {%- if criterion.starts_at %}
            and event_at >= {{ criterion.starts_at }}
            {%- endif %}
            {%- for key, value in criterion.properties.items() %}
            and {{ activation.json_string('properties', key) }} = {{ activation.string_literal(value) }}
            {%- endfor %}
        {%- endfor %}
    end

),

numbered_matches as (

    select
        org_id,
        criterion_index,
        min_count,
        event_at,
        row_number() over (
            partition by org_id, criterion_index
            order by event_at, event_uuid
        ) as match_number
    from criterion_matches

),

{#- a criterion is met at its N-th match, N being its min_count -#}
criteria_met as (

    select
        org_id,
        criterion_index,
        event_at as met_at
    from numbered_matches
    where match_number = min_count

)
{% endmacro %}
