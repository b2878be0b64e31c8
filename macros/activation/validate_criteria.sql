{#- Checks a list of criteria (activation, survival or a candidate's) and
    returns them in one normalized shape, so that the SQL macros see one
    form whatever the spelling:
      {'event': [names], 'min_count': n, 'where': [conditions],
       'distinct': keys or none, 'label': text or none}
    or, for "any of these criteria",
      {'any_of': [criteria of the first shape], 'label': text or none}.
    A condition is {'property': keys, 'op': op, 'value': value}; the old
    `properties: {key: 'value'}` becomes conditions with op 'eq'. A wrong
    criterion fails here, at parse time, naming the product, the argument
    path (activation_criteria[1].where[0].op) and the value. -#}

{% macro _validate_label(product, where, criterion) %}
    {%- set label = criterion.get('label') -%}
    {%- if label is not none and (label is not string or label | trim == '') -%}
        {{ activation._fail_product_argument(product, where ~ ".label",
            "must be a non-empty text such as 'different recordings', got " ~ (label | tojson)) }}
    {%- endif -%}
    {{ return(label) }}
{% endmacro %}


{% macro _validate_event_names(product, where, event) %}
    {%- set names = [event] if event is string else event -%}
    {%- if not activation._is_list(names) or names | length == 0 -%}
        {{ activation._fail_product_argument(product, where,
            "must be an event name or a non-empty list of event names, got " ~ (event | tojson)) }}
    {%- endif -%}
    {%- for name in names -%}
        {%- set at = where if event is string else where ~ "[" ~ loop.index0 ~ "]" -%}
        {%- if name is not string or name | trim == '' -%}
            {{ activation._fail_product_argument(product, at, "must be a non-empty event name, got " ~ (name | tojson)) }}
        {%- endif -%}
        {#- the staging trims ASCII spaces (only those: trim_spaces) off the
            source's event names: such a name would never match -#}
        {%- if name != name.strip(' ') -%}
            {{ activation._fail_product_argument(product, at,
                "has leading or trailing spaces, got " ~ (name | tojson)
                ~ ": the staging trims them off event names, so it would never match") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names | unique | list) }}
{% endmacro %}


{#- One criterion, normalized (see the top of this file); `alternative`:
    it is one of an any_of's criteria (which do not nest). -#}
{% macro _validate_criterion(product, where, criterion, alternative=false) %}
    {%- if criterion is not mapping -%}
        {{ activation._fail_product_argument(product, where,
            "must be a mapping with the key 'event' or 'any_of', got " ~ (criterion | tojson)) }}
    {%- endif -%}
    {%- set label = activation._validate_label(product, where, criterion) -%}
    {%- if 'any_of' in criterion -%}
        {%- for key in criterion if key not in ['any_of', 'label'] -%}
            {{ activation._fail_product_argument(product, where,
                "has unknown key '" ~ key ~ "' beside any_of (allowed: any_of, label; "
                ~ "each alternative has its own event, min_count, where...)") }}
        {%- endfor -%}
        {%- if alternative -%}
            {{ activation._fail_product_argument(product, where ~ ".any_of",
                "cannot be inside another any_of: list every alternative in the outer one") }}
        {%- endif -%}
        {%- set alternatives = criterion.any_of -%}
        {%- if not activation._is_list(alternatives) or alternatives | length == 0 -%}
            {{ activation._fail_product_argument(product, where ~ ".any_of",
                "must be a non-empty list of criteria, got " ~ (alternatives | tojson)) }}
        {%- endif -%}
        {%- set normalized = [] -%}
        {%- for item in alternatives -%}
            {%- do normalized.append(activation._validate_criterion(
                product, where ~ ".any_of[" ~ loop.index0 ~ "]", item, alternative=true)) -%}
        {%- endfor -%}
        {{ return({'any_of': normalized, 'label': label}) }}
    {%- endif -%}
    {%- for key in criterion if key not in ['event', 'min_count', 'properties', 'where', 'distinct', 'label'] -%}
        {{ activation._fail_product_argument(product, where,
            "has unknown key '" ~ key ~ "' (allowed: event, min_count, properties, where, distinct, label, any_of)") }}
    {%- endfor -%}
    {%- if 'event' not in criterion -%}
        {{ activation._fail_product_argument(product, where ~ ".event", "is required: an event name or a list of them") }}
    {%- endif -%}
    {%- set events = activation._validate_event_names(product, where ~ ".event", criterion.event) -%}
    {%- set min_count = criterion.get('min_count', 1) -%}
    {%- if min_count is not integer or min_count < 1 -%}
        {{ activation._fail_product_argument(product, where ~ ".min_count",
            "must be a whole number >= 1, got " ~ (min_count | tojson)) }}
    {%- endif -%}
    {%- set conditions = [] -%}
    {%- set properties = criterion.get('properties', {}) -%}
    {%- if properties is not mapping -%}
        {{ activation._fail_product_argument(product, where ~ ".properties",
            "must be a mapping of property name to string value") }}
    {%- endif -%}
    {%- for key, value in properties.items() -%}
        {%- if key is not string or key == '' -%}
            {{ activation._fail_product_argument(product, where ~ ".properties",
                "has an invalid property name " ~ (key | string | tojson) ~ " (a non-empty text)") }}
        {%- endif -%}
        {%- if value is not string -%}
            {{ activation._fail_product_argument(product, where ~ ".properties." ~ key,
                "must be a string: properties match JSON string values only (numbers and booleans: use where), got "
                ~ (value | tojson)) }}
        {%- endif -%}
        {%- do conditions.append({'property': [key], 'op': 'eq', 'value': value}) -%}
    {%- endfor -%}
    {%- if 'where' in criterion -%}
        {%- do conditions.extend(activation._validate_conditions(product, where ~ ".where", criterion.where)) -%}
    {%- endif -%}
    {%- set distinct = none -%}
    {%- if 'distinct' in criterion -%}
        {%- set distinct = activation._validate_property_path(product, where ~ ".distinct", criterion.distinct) -%}
    {%- endif -%}
    {{ return({'event': events, 'min_count': min_count, 'where': conditions, 'distinct': distinct, 'label': label}) }}
{% endmacro %}


{#- Every event name the criteria name (alternatives' included), each once. -#}
{% macro criteria_event_names(criteria) %}
    {%- set names = [] -%}
    {%- for criterion in criteria -%}
        {%- for part in criterion.get('any_of') or [criterion] -%}
            {%- for name in part.event if name not in names -%}
                {%- do names.append(name) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}
