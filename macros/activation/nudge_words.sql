{#- How activation_nudges names a criterion's part (a plain criterion, or
    one alternative of an any_of) in banner words. Returns
    {'event': names joined by ' or ', 'properties': its string equality
    conditions on top-level keys as a JSON object (the old `properties`),
    'words': the noun after "N of M": the criterion's `label` (for an
    alternative, the any_of's label first), else "different <property>
    values" for a distinct count, else the event names in quotes and
    "events"}. -#}
{% macro nudge_words(part, alternative_label=none) %}
    {%- set properties = {} -%}
    {%- for condition in part.where
        if condition.op == 'eq' and condition.value is string and condition.property | length == 1 -%}
        {%- do properties.update({condition.property[0]: condition.value}) -%}
    {%- endfor -%}
    {%- if alternative_label or part.label -%}
        {%- set words = alternative_label or part.label -%}
    {%- elif part.distinct -%}
        {%- set words = 'different ' ~ part.distinct | join('.') ~ ' values' -%}
    {%- else -%}
        {%- set words = '"' ~ part.event | join('" or "') ~ '" events' -%}
    {%- endif -%}
    {{ return({'event': part.event | join(' or '), 'properties': tojson(properties), 'words': words}) }}
{% endmacro %}


{#- The `when <part index> then '<words>'` branches of a case over part_index. -#}
{% macro nudge_word_cases(parts) -%}
    {%- set cases = [] -%}
    {%- for part in parts -%}
        {%- do cases.append(' when ' ~ loop.index0 ~ ' then ' ~ activation.string_literal(part.words)) -%}
    {%- endfor -%}
    {{ return(cases | join('')) }}
{%- endmacro %}
