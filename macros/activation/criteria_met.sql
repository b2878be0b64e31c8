{#- CTEs that find, per organization, when each criterion was met, from a CTE
    `window_events` (org_id, event_uuid, event_name, event_at, properties,
    intent_at). Each criterion is normalized (validate_criteria.sql) and has
    its window as SQL over intent_at: starts_at (none: intent_at) and
    ends_at (exclusive). The result, `criteria_met`, has one row per
    organization and criterion met: criterion_index (position in `criteria`)
    and met_at. Also for callers: `criteria_list` (part_index,
    criterion_index, sequence_index, min_count: one row per part, see below)
    and `numbered_matches` (org_id, intent_at, sequence_index, event_at,
    match_number: the events that count, numbered in each sequence).

    An alternative (any_of) is flattened into parts, one per criterion it
    lists; a plain criterion is one part. A part is met at the time of its
    N-th counted event (N = min_count); a criterion at the earliest of its
    parts' times.

    Parts that differ only in min_count or window end count the same events
    from the same start: a "sequence" (event names, conditions, distinct
    property, window start). Each sequence's events, up to the latest end of
    its parts, are numbered once in time order; a part is met when its
    sequence's N-th event comes before its own window end, as the N-th event
    from the start is the N-th of the window exactly when it falls inside it.
    A distinct count numbers only the first event of each value (events
    without the value do not count), so its N-th is the event at which the
    N-th different value is first seen. So an event is numbered once per
    sequence, not once per part (session_replay: 3 sequences for 9 criteria).
    One pass over window_events whatever the number of criteria (a union of
    one scan per sequence would read window_events once per sequence:
    ClickHouse inlines CTEs). -#}
{% macro criteria_met(criteria) %}
{%- set parts = [] -%}
{%- set sequences = [] -%}
{#- compared as JSON: as Python values, 1 == true and two sequences would merge -#}
{%- set sequence_keys = [] -%}
{%- set sequence_ends = [] -%}
{%- for criterion in criteria -%}
    {%- set criterion_index = loop.index0 -%}
    {%- for part in criterion.get('any_of') or [criterion] -%}
        {%- set sequence = {
            'event': part.event,
            'where': part.where,
            'distinct': part.distinct,
            'starts_at': criterion.starts_at,
        } -%}
        {%- set key = tojson(sequence, sort_keys=true) -%}
        {%- if key not in sequence_keys -%}
            {%- do sequences.append(sequence) -%}
            {%- do sequence_keys.append(key) -%}
            {%- do sequence_ends.append([]) -%}
        {%- endif -%}
        {%- set index = sequence_keys.index(key) -%}
        {%- do sequence_ends[index].append(criterion.ends_at) -%}
        {%- do parts.append({'criterion_index': criterion_index, 'sequence_index': index,
            'min_count': part.min_count, 'ends_at': criterion.ends_at}) -%}
    {%- endfor -%}
{%- endfor -%}
{%- set counts_distinct = sequences | selectattr('distinct') | list | length > 0 -%}
{%- set has_alternatives = parts | length > criteria | length %}
sequence_list as (
    {%- for sequence in sequences %}
    {%- set sequence_index = loop.index0 %}
    {%- set outer_loop = loop %}
    {%- for event_name in sequence.event %}

    select
        {{ sequence_index }} as sequence_index,
        {{ activation.string_literal(event_name) }} as event_name
    {%- if not (loop.last and outer_loop.last) %}

    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}

),

criteria_list as (
    {%- for part in parts %}

    select
        {{ loop.index0 }} as part_index,
        {{ part.criterion_index }} as criterion_index,
        {{ part.sequence_index }} as sequence_index,
        {{ part.min_count }} as min_count
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
        {%- if counts_distinct %},
        case sequence_index
            {%- for sequence in sequences %}
            {%- if sequence.distinct %}
            when {{ loop.index0 }} then {{ activation.json_value_key('properties', sequence.distinct) }}
            {%- endif %}
            {%- endfor %}
        end as distinct_value
        {%- endif %}
    from event_sequences
    where case sequence_index
        {%- for sequence in sequences %}
        {%- set ends = sequence_ends[loop.index0] %}
        when {{ loop.index0 }} then
            event_at < {{ activation.latest_of(ends) }}
            {%- if sequence.starts_at %}
            and event_at >= {{ sequence.starts_at }}
            {%- endif %}
            {%- for condition in sequence.where %}
            and {{ activation.condition_sql('properties', condition) }}
            {%- endfor %}
            {%- if sequence.distinct %}
            and {{ activation.json_is_set('properties', sequence.distinct) }}
            {%- endif %}
        {%- endfor %}
    end

),
{%- if counts_distinct %}

{#- a distinct count keeps the first event of each value (distinct_value is
    null in the other sequences: all their events are kept) -#}
counted_matches as (

    select
        org_id,
        intent_at,
        sequence_index,
        event_uuid,
        event_at
    from (
        select
            *,
            row_number() over (
                partition by org_id, sequence_index, distinct_value
                order by event_at, event_uuid
            ) as value_number
        from sequence_matches
    ) as value_matches
    where value_matches.distinct_value is null or value_matches.value_number = 1

),
{%- endif %}

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
    from {{ 'counted_matches' if counts_distinct else 'sequence_matches' }}

),

{#- each sequence's N-th event for every part on it (N: its min_count) -#}
nth_events as (

    select
        numbered_matches.org_id,
        numbered_matches.intent_at,
        numbered_matches.event_at,
        criteria_list.part_index,
        criteria_list.criterion_index
    from numbered_matches
    inner join criteria_list
        on
            numbered_matches.sequence_index = criteria_list.sequence_index
            and numbered_matches.match_number = criteria_list.min_count

),

{#- a part is met when that event is inside its window; an alternative at
    the earliest of its parts -#}
criteria_met as (

    select
        org_id,
        criterion_index,
        {{ 'min(event_at)' if has_alternatives else 'event_at' }} as met_at
    from nth_events
    where case part_index
        {%- for part in parts %}
        when {{ loop.index0 }} then event_at < {{ part.ends_at }}
        {%- endfor %}
    end
    {%- if has_alternatives %}
    group by org_id, criterion_index
    {%- endif %}

)
{% endmacro %}
