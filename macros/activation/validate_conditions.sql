{#- Checks property conditions (a criterion's `where`, a product's
    intent_conditions) and returns them normalized:
    {'property': keys, 'op': op, 'value': value}. See docs/criteria.md. -#}

{% macro condition_ops() %}
    {{ return(['eq', 'neq', 'in', 'not_in', 'contains', 'not_contains',
        'gt', 'gte', 'lt', 'lte', 'is_set', 'is_not_set']) }}
{% endmacro %}


{#- A typed value: a string, a number or a boolean (Jinja's number test
    also takes booleans, hence the order). -#}
{% macro _is_scalar(value) %}
    {{ return(value is boolean or value is string or value is number) }}
{% endmacro %}


{#- A property path as its list of keys: a string is one top-level key taken
    whole, a list is nested keys from the top. -#}
{% macro _validate_property_path(product, where, path) %}
    {%- set keys = [path] if path is string else path -%}
    {%- if not activation._is_list(keys) or keys | length == 0
        or keys | reject('string') | list | length > 0 or '' in keys -%}
        {{ activation._fail_product_argument(product, where,
            "must be a property name, or a list of nested keys such as ['$groups', 'organization'], got "
            ~ (path | tojson)) }}
    {%- endif -%}
    {{ return(keys | list) }}
{% endmacro %}


{% macro _validate_condition(product, where, condition) %}
    {%- if condition is not mapping -%}
        {{ activation._fail_product_argument(product, where,
            "must be a mapping such as {'property': 'realm', 'op': 'eq', 'value': 'cloud'}, got "
            ~ (condition | tojson)) }}
    {%- endif -%}
    {%- for key in condition if key not in ['property', 'op', 'value'] -%}
        {{ activation._fail_product_argument(product, where,
            "has unknown key '" ~ key ~ "' (allowed: property, op, value)") }}
    {%- endfor -%}
    {%- if 'property' not in condition -%}
        {{ activation._fail_product_argument(product, where ~ ".property", "is required: the property's name or path") }}
    {%- endif -%}
    {%- set keys = activation._validate_property_path(product, where ~ ".property", condition.property) -%}
    {%- set op = condition.get('op', 'eq') -%}
    {%- if op not in activation.condition_ops() -%}
        {{ activation._fail_product_argument(product, where ~ ".op",
            "must be one of " ~ activation.condition_ops() | join(', ') ~ ", got " ~ (op | tojson)) }}
    {%- endif -%}
    {%- set value = condition.get('value') -%}
    {%- if op in ['is_set', 'is_not_set'] -%}
        {%- if 'value' in condition -%}
            {{ activation._fail_product_argument(product, where ~ ".value",
                "must be left out: " ~ op ~ " takes no value, got " ~ (value | tojson)) }}
        {%- endif -%}
    {%- elif 'value' not in condition -%}
        {{ activation._fail_product_argument(product, where ~ ".value", "is required for op " ~ op) }}
    {%- elif op in ['in', 'not_in'] -%}
        {%- if not activation._is_list(value) or value | length == 0 -%}
            {{ activation._fail_product_argument(product, where ~ ".value",
                "must be a non-empty list of strings, numbers or booleans for op " ~ op ~ ", got " ~ (value | tojson)) }}
        {%- endif -%}
        {%- for item in value if not activation._is_scalar(item) -%}
            {{ activation._fail_product_argument(product, where ~ ".value[" ~ loop.index0 ~ "]",
                "must be a string, a number or a boolean, got " ~ (item | tojson)) }}
        {%- endfor -%}
    {%- elif op in ['contains', 'not_contains'] -%}
        {%- if value is not string or value == '' -%}
            {{ activation._fail_product_argument(product, where ~ ".value",
                "must be a non-empty string for op " ~ op ~ ", got " ~ (value | tojson)) }}
        {%- endif -%}
    {%- elif op in ['gt', 'gte', 'lt', 'lte'] -%}
        {%- if value is boolean or value is not number -%}
            {{ activation._fail_product_argument(product, where ~ ".value",
                "must be a number for op " ~ op ~ " (comparisons take numbers), got " ~ (value | tojson)) }}
        {%- endif -%}
    {%- elif not activation._is_scalar(value) -%}
        {{ activation._fail_product_argument(product, where ~ ".value",
            "must be a string, a number or a boolean for op " ~ op ~ ", got " ~ (value | tojson)) }}
    {%- endif -%}
    {%- set normalized = {'property': keys, 'op': op} -%}
    {%- if op not in ['is_set', 'is_not_set'] -%}
        {%- do normalized.update({'value': value | list if op in ['in', 'not_in'] else value}) -%}
    {%- endif -%}
    {{ return(normalized) }}
{% endmacro %}


{#- A list of conditions (a criterion's `where`, a product's
    intent_conditions). -#}
{% macro _validate_conditions(product, where, conditions) %}
    {%- if not activation._is_list(conditions) or conditions | length == 0 -%}
        {{ activation._fail_product_argument(product, where,
            "must be a non-empty list of conditions such as [{'property': 'realm', 'op': 'eq', 'value': 'cloud'}], got "
            ~ (conditions | tojson)) }}
    {%- endif -%}
    {%- set normalized = [] -%}
    {%- for condition in conditions -%}
        {%- do normalized.append(activation._validate_condition(product, where ~ "[" ~ loop.index0 ~ "]", condition)) -%}
    {%- endfor -%}
    {{ return(normalized) }}
{% endmacro %}
