{#- CTEs that find, per organization, when each criterion was met, from a CTE
    `window_events` (org_id, event_uuid, event_name, event_at, properties,
    intent_at). Each criterion is a dict: event, min_count, properties, and
    its window as SQL over intent_at: starts_at (none: intent_at) and
    ends_at (exclusive). The result, `criteria_met`, has one row per
    organization and criterion met: criterion_index (position in `criteria`)
    and met_at, the time of its N-th qualifying event (N = min_count). Also
    for callers: `criteria_list` (criterion_index, sequence_index, event_name,
    min_count) and `sequence_matches` (org_id, intent_at, sequence_index,
    event_uuid, event_at: each event in each of its sequences).

    Criteria that differ only in min_count or window end count the same
    events from the same start: a "sequence" (event, property filters,
    window start). Each sequence's events, up to the latest end of its
    criteria, are numbered once in time order; a criterion is met when its
    sequence's N-th event comes before its own window end, as the N-th event
    from the start is the N-th of the window exactly when it falls inside it.
    So an event is numbered once per sequence, not once per criterion
    (session_replay: 3 sequences for 9 criteria). One pass over window_events
    whatever the number of criteria (a union of one scan per sequence would
    read window_events once per sequence: ClickHouse inlines CTEs). -#}
{% macro criteria_met(criteria) %}
{%- set sequences = [] -%}
{%- set sequence_ends = [] -%}
{%- set criterion_sequences = [] -%}
{%- for criterion in criteria -%}
    {%- set sequence = {
        'event': criterion.event,
        'properties': criterion.properties,
        'starts_at': criterion.starts_at,
    } -%}
    {%- if sequence not in sequences -%}
        {%- do sequences.append(sequence) -%}
        {%- do sequence_ends.append([]) -%}
    {%- endif -%}
    {%- set index = sequences.index(sequence) -%}
    {%- do criterion_sequences.append(index) -%}
    {%- do sequence_ends[index].append(criterion.ends_at) -%}
{%- endfor %}
sequence_list as (
    {%- for sequence in sequences %}

    select
        {{ loop.index0 }} as sequence_index,
        {{ activation.string_literal(sequence.event) }} as event_name
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

criteria_list as (
    {%- for criterion in criteria %}

    select
        {{ loop.index0 }} as criterion_index,
        {{ criterion_sequences[loop.index0] }} as sequence_index,
        {{ activation.string_literal(criterion.event) }} as event_name,
        {{ criterion.min_count }} as min_count
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

{#- each event with every sequence on its event name (an event can be in several) -#}
event_sequences as (

    select
        window_events.org_id,
        window_events.intent_at,
        window_events.event_uuid,
        window_events.event_at,
        window_events.properties,
        sequence_list.sequence_index
    from window_events
    inner join sequence_list
        on window_events.event_name = sequence_list.event_name

),

sequence_matches as (

    select
        org_id,
        intent_at,
        sequence_index,
        event_uuid,
        event_at
    from event_sequences
    where case sequence_index
        {%- for sequence in sequences %}
        {%- set ends = sequence_ends[loop.index0] %}
        when {{ loop.index0 }} then
            event_at < {{ activation.latest_of(ends) }}
            {%- if sequence.starts_at %}
            and event_at >= {{ sequence.starts_at }}
            {%- endif %}
            {%- for key, value in sequence.properties.items() %}
            and {{ activation.json_string('properties', key) }} = {{ activation.string_literal(value) }}
            {%- endfor %}
        {%- endfor %}
    end

),

numbered_matches as (

    select
        org_id,
        intent_at,
        sequence_index,
        event_at,
        row_number() over (
            partition by org_id, sequence_index
            order by event_at, event_uuid
        ) as match_number
    from sequence_matches

),

{#- each sequence's N-th event for every criterion on it (N: its min_count) -#}
nth_events as (

    select
        numbered_matches.org_id,
        numbered_matches.intent_at,
        numbered_matches.event_at,
        criteria_list.criterion_index
    from numbered_matches
    inner join criteria_list
        on
            numbered_matches.sequence_index = criteria_list.sequence_index
            and numbered_matches.match_number = criteria_list.min_count

),

{#- a criterion is met when that event is inside its window -#}
criteria_met as (

    select
        org_id,
        criterion_index,
        event_at as met_at
    from nth_events
    where case criterion_index
        {%- for criterion in criteria %}
        when {{ loop.index0 }} then event_at < {{ criterion.ends_at }}
        {%- endfor %}
    end

)
{% endmacro %}


{#- The latest of SQL expressions (window ends): the one itself, or their
    greatest. -#}
{% macro latest_of(expressions) -%}
    {%- set distinct = expressions | unique | list -%}
    {{ distinct[0] if distinct | length == 1 else 'greatest(' ~ distinct | join(', ') ~ ')' }}
{%- endmacro %}
