{#- Checks the arguments of one product_activation() call and returns them
    normalized (defaults filled in). Runs at parse time, so a wrong call
    stops `dbt parse`/`build` before any SQL runs, with a message naming the
    product and the argument. -#}

{#- Without a product argument the message names the model file instead
    (product="" would read like a given empty key). -#}
{% macro _fail_product_argument(product, argument, problem) %}
    {%- if product is defined -%}
        {%- set call = "product_activation(product=" ~ (product | string | tojson) ~ ")" -%}
    {%- else -%}
        {%- set call = "product_activation() in model " ~ (model.name if model is defined and model.name else "?") -%}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(call ~ ": argument '" ~ argument ~ "' " ~ problem) }}
{% endmacro %}


{% macro _is_list(value) %}
    {{ return(value is sequence and value is not string and value is not mapping) }}
{% endmacro %}


{% macro _validate_criteria(product, argument, criteria) %}
    {%- if criteria is not defined -%}
        {{ activation._fail_product_argument(product, argument,
            "is required: a non-empty list of criteria such as [{'event': 'insight saved', 'min_count': 3}]") }}
    {%- endif -%}
    {%- if not activation._is_list(criteria) or criteria | length == 0 -%}
        {{ activation._fail_product_argument(product, argument,
            "must be a non-empty list of criteria such as [{'event': 'insight saved', 'min_count': 3}]") }}
    {%- endif -%}
    {%- set normalized = [] -%}
    {%- for criterion in criteria -%}
        {%- do normalized.append(activation._validate_criterion(product, argument ~ "[" ~ loop.index0 ~ "]", criterion)) -%}
    {%- endfor -%}
    {{ return(normalized) }}
{% endmacro %}


{% macro validate_product_activation(
    product, activation_criteria, activation_window_days, survival_criteria,
    survival_window_months, intent_contexts, candidates, unknown_arguments, intent_conditions=none
) %}
    {%- if product is not defined -%}
        {{ activation._fail_product_argument(product, 'product',
            "is required: the product key, lowercase, as in properties.product_key") }}
    {%- endif -%}
    {%- if product is not string or product != product | trim | lower or product == '' -%}
        {{ activation._fail_product_argument(product, 'product',
            "must be a non-empty lowercase product key without surrounding spaces, as in properties.product_key") }}
    {%- endif -%}
    {%- for name in unknown_arguments -%}
        {{ activation._fail_product_argument(product, name,
            "is not an argument (allowed: product, activation_criteria, activation_window_days, "
            ~ "survival_criteria, survival_window_months, intent_contexts, intent_conditions, candidates)") }}
    {%- endfor -%}
    {%- set activation_rules = activation._validate_criteria(product, 'activation_criteria', activation_criteria) -%}
    {%- set survival_rules = activation._validate_criteria(product, 'survival_criteria', survival_criteria) -%}
    {%- if activation_window_days is not integer or activation_window_days <= 0 -%}
        {{ activation._fail_product_argument(product, 'activation_window_days',
            "must be a whole number of days > 0, got " ~ (activation_window_days | tojson)) }}
    {%- endif -%}
    {%- if not activation._is_list(survival_window_months) or survival_window_months | length != 2
        or survival_window_months[0] is not integer or survival_window_months[1] is not integer -%}
        {{ activation._fail_product_argument(product, 'survival_window_months',
            "must be [start, end] in whole months after intent, such as [3, 4]") }}
    {%- endif -%}
    {%- if survival_window_months[0] < 0 or survival_window_months[1] <= survival_window_months[0] -%}
        {{ activation._fail_product_argument(product, 'survival_window_months',
            "must have 0 <= start < end, got " ~ (survival_window_months | tojson)) }}
    {%- endif -%}
    {%- if intent_contexts is not none and (not activation._is_list(intent_contexts)
        or intent_contexts | length == 0
        or intent_contexts | reject('string') | list | length > 0) -%}
        {{ activation._fail_product_argument(product, 'intent_contexts',
            "must be a non-empty list of intent context names, or left out") }}
    {%- endif -%}
    {%- set intent_rules = none if intent_conditions is none
        else activation._validate_conditions(product, 'intent_conditions', intent_conditions) -%}
    {%- set candidate_rules = [] -%}
    {%- if candidates is not none and (not activation._is_list(candidates) or candidates | length == 0) -%}
        {{ activation._fail_product_argument(product, 'candidates',
            "must be a non-empty list of {'name': ..., 'activation_criteria': [...]}, or left out") }}
    {%- endif -%}
    {%- for candidate in candidates or [] -%}
        {%- set where = "candidates[" ~ loop.index0 ~ "]" -%}
        {%- if candidate is not mapping -%}
            {{ activation._fail_product_argument(product, where, "must be a mapping with name and activation_criteria") }}
        {%- endif -%}
        {%- for key in candidate if key not in ['name', 'activation_criteria', 'activation_window_days'] -%}
            {{ activation._fail_product_argument(product, where,
                "has unknown key '" ~ key ~ "' (allowed: name, activation_criteria, activation_window_days)") }}
        {%- endfor -%}
        {%- set name = candidate.get('name') -%}
        {%- set earlier_names = candidate_rules | map(attribute='name') | list -%}
        {%- if 'name' not in candidate -%}
            {{ activation._fail_product_argument(product, where ~ ".name",
                "is required: a name of lowercase letters, digits and _, such as 'three_recordings'") }}
        {#- names are stored comma-separated in activated_candidates: identifiers only -#}
        {%- elif name is not string or not modules.re.fullmatch('[a-z0-9_]+', name) -%}
            {{ activation._fail_product_argument(product, where ~ ".name",
                "must be lowercase letters, digits and _, got " ~ (name | tojson)) }}
        {%- elif name == 'current' -%}
            {{ activation._fail_product_argument(product, where ~ ".name",
                "must not be \"current\", the name activation_candidates gives the product's own definition") }}
        {%- elif name in earlier_names -%}
            {{ activation._fail_product_argument(product, where ~ ".name",
                "must be unique among the candidates, got " ~ (name | tojson) ~ ", the name of candidates["
                ~ earlier_names.index(name) ~ "] too") }}
        {%- endif -%}
        {%- set window = candidate.get('activation_window_days', activation_window_days) -%}
        {%- if window is not integer or window <= 0 -%}
            {{ activation._fail_product_argument(product, where ~ ".activation_window_days",
                "must be a whole number of days > 0, got " ~ (window | tojson)) }}
        {%- endif -%}
        {%- do candidate_rules.append({
            'name': name,
            'activation_criteria': activation._validate_criteria(
                product, where ~ ".activation_criteria", candidate.get('activation_criteria')),
            'activation_window_days': window,
        }) -%}
    {%- endfor -%}
    {{ return({
        'candidates': candidate_rules,
        'product': product,
        'activation_criteria': activation_rules,
        'activation_window_days': activation_window_days,
        'survival_criteria': survival_rules,
        'survival_window_months': survival_window_months,
        'intent_contexts': intent_contexts,
        'intent_conditions': intent_rules,
    }) }}
{% endmacro %}
