{#- CTEs that find, per organization, when each criterion was met, from a CTE
    `window_events` (org_id, event_uuid, event_name, event_at, properties,
    intent_at). Each criterion is a dict: event, min_count, properties, and
    its window as SQL over intent_at: starts_at (none: intent_at) and
    ends_at (exclusive). The result, `criteria_met`, has one row per
    organization and criterion met: criterion_index (position in `criteria`)
    and met_at, the time of its N-th qualifying event (N = min_count). All
    criteria are evaluated in one pass over window_events. -#}
{% macro criteria_met(criteria) %}
{#- one row per event and criterion it meets (an event can meet several) -#}
criterion_matches as (
    {%- for criterion in criteria %}

    select
        org_id,
        {{ loop.index0 }} as criterion_index,
        event_uuid,
        event_at
    from window_events
    where
        event_name = {{ activation.string_literal(criterion.event) }}
        {%- for key, value in criterion.properties.items() %}
        and {{ activation.json_string('properties', key) }} = {{ activation.string_literal(value) }}
        {%- endfor %}
        {%- if criterion.starts_at %}
        and event_at >= {{ criterion.starts_at }}
        {%- endif %}
        and event_at < {{ criterion.ends_at }}
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

numbered_matches as (

    select
        org_id,
        criterion_index,
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
    where match_number = case criterion_index
        {%- for criterion in criteria %}
        when {{ loop.index0 }} then {{ criterion.min_count }}
        {%- endfor %}
    end

)
{% endmacro %}
