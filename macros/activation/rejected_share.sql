{#- The check that fails a build when most tracked source rows are rejected
    (tests/singular/most_tracked_rows_are_accepted.sql): such a source is
    read wrongly (var org_key, a time zone, the wrong files), and would
    otherwise build a green, empty mart. Copies of an event (duplicate_uuid)
    are not counted: they are one event, kept once. -#}

{#- SQL: one row (tracked_rows, rejected_rows) when more than var
    max_rejected_share of the tracked rows are rejected, else none. -#}
{% macro rejected_share_check() %}
with

counted_rows as (

    select
        count(*) as tracked_rows,
        sum(case when rejection_reason is null then 0 else 1 end) as rejected_rows
    from {{ ref('stg_events_classified') }}
    where rejection_reason is null or rejection_reason <> 'duplicate_uuid'

)

select
    tracked_rows,
    rejected_rows
from counted_rows
where rejected_rows > {{ var('max_rejected_share') }} * tracked_rows
{% endmacro %}


{#- The failure's message, or none: the share, the leading reason, its
    count and what to change. Asks stg_events_classified its rows by reason. -#}
{% macro rejected_share_problem() %}
    {%- set counted = run_query(
        'select rejection_reason, count(*) from ' ~ ref('stg_events_classified')
        ~ " where rejection_reason is null or rejection_reason <> 'duplicate_uuid' group by rejection_reason") -%}
    {%- set by_reason = {} -%}
    {%- set totals = {'tracked': 0, 'rejected': 0} -%}
    {%- for reason, row_count in counted.rows -%}
        {%- do totals.update({'tracked': totals.tracked + row_count | int}) -%}
        {%- if reason is not none -%}
            {%- do by_reason.update({reason: row_count | int}) -%}
            {%- do totals.update({'rejected': totals.rejected + row_count | int}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set share = var('max_rejected_share') -%}
    {%- if totals.rejected <= share * totals.tracked -%}
        {{ return(none) }}
    {%- endif -%}
    {#- the most rows first, then by name: the same on every run -#}
    {%- set reasons = by_reason | dictsort | sort(attribute='1', reverse=true) -%}
    {%- set leading, leading_count = reasons[0] -%}
    {{ return(
        totals.rejected ~ " of the " ~ totals.tracked ~ " tracked source rows are rejected ("
        ~ (100.0 * totals.rejected / totals.tracked) | round(1) ~ "%, more than var max_rejected_share " ~ share
        ~ "). Leading reason: " ~ leading ~ " (" ~ leading_count ~ " rows). Fix: "
        ~ activation.rejection_fix(leading) ~ " All reasons: "
        ~ reasons | map('join', ' ') | join(', ') ~ " (see stg_events_rejected). To accept this source as it "
        ~ "is, raise var max_rejected_share (1 switches this check off).") }}
{% endmacro %}


{#- What to change when most rows are rejected for `reason`. -#}
{% macro rejection_fix(reason) %}
    {%- set org_key = var('org_key') -%}
    {%- set path_example = "['properties', '$groups', '" ~ var('org_group_type') ~ "']" -%}
    {%- if reason == 'missing_organization' -%}
        {%- set reading = activation.org_key_reading() -%}
        {%- if org_key is string and org_key.startswith('properties.')
            and ('.' in org_key[11:] or '/' in org_key[11:]) -%}
            {%- set keys = org_key[11:].split('.') -%}
            {{ return("var org_key " ~ tojson(org_key) ~ " reads the ONE top-level property "
                ~ tojson(org_key[11:]) ~ ", which these rows lack. For nested keys give a list: org_key: "
                ~ tojson(['properties'] + keys) ~ " (docs/your-events.md).") }}
        {%- elif reading.column is defined -%}
            {{ return("var org_key reads the column " ~ reading.column ~ ", empty on these rows. Set org_key "
                ~ "to where your organization key is: another column, 'properties.<key>' or a path such as "
                ~ path_example ~ " (docs/your-events.md).") }}
        {%- elif org_key is string and not org_key.startswith('properties.') -%}
            {{ return("this source has no " ~ org_key ~ " column, and neither properties.$group_0 nor "
                ~ "properties.$groups." ~ var('org_group_type') ~ " holds a key on these rows. Set var "
                ~ "org_group_type to your organizations' PostHog group type, or var org_key to where the key "
                ~ "is (docs/your-events.md).") }}
        {%- else -%}
            {{ return("var org_key reads the property " ~ tojson(reading.paths[0]) ~ ", which these rows lack "
                ~ "(or hold as another type than a string). Set org_key to where your organization key is, e.g. "
                ~ path_example ~ " (docs/your-events.md).") }}
        {%- endif -%}
    {%- endif -%}
    {%- set fixes = {
        'missing_uuid': "load the events with their uuid column filled.",
        'missing_event_name': "load the events with their event column filled.",
        'missing_timestamp': "load the events with their timestamp column filled.",
        'timestamp_before_min': "their times are before var min_event_timestamp ("
            ~ var('min_event_timestamp') ~ "): set it earlier, or check the timestamp column's unit.",
        'timestamp_in_future': "their times are more than var max_future_days (" ~ var('max_future_days')
            ~ ") days after this run: check the timestamp column's unit and time zone.",
        'properties_not_json_object': "the properties column must hold a JSON object as text.",
        'excluded_organization': "the seed excluded_organizations lists their organizations: list only "
            ~ "internal and test organizations there.",
    } -%}
    {{ return(fixes.get(reason, "see stg_events_rejected.")) }}
{% endmacro %}
