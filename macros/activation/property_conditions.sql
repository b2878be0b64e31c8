{#- SQL for the criteria language's property conditions (normalized by
    _validate_condition) on a JSON text column. Values are typed: a string
    matches only a JSON string, a number only a JSON number (as a double:
    5 equals 5.0), a boolean only a JSON boolean. A positive condition is
    false (or null, which a filter reads as false) on a missing property; a
    negative one (neq, not_in, not_contains, is_not_set) is the negation of
    its positive made false first, so it holds on a missing property or
    JSON null: "anything but X" includes "nothing". -#}

{#- All of `conditions`, as one SQL boolean ('true' when there are none). -#}
{% macro conditions_sql(column, conditions) -%}
    {%- set parts = [] -%}
    {%- for condition in conditions -%}
        {%- do parts.append(activation.condition_sql(column, condition)) -%}
    {%- endfor -%}
    {{ return(parts | join(' and ') if parts else 'true') }}
{%- endmacro %}


{% macro condition_sql(column, condition) -%}
    {%- set negated = {'neq': 'eq', 'not_in': 'in', 'not_contains': 'contains', 'is_not_set': 'is_set'} -%}
    {%- set op = condition.op -%}
    {%- if op in negated -%}
        {%- set positive = activation._positive_condition_sql(column, dict(condition, op=negated[op])) -%}
        {{ return('not coalesce(' ~ positive ~ ', false)') }}
    {%- endif -%}
    {{ return(activation._positive_condition_sql(column, condition)) }}
{%- endmacro %}


{% macro _positive_condition_sql(column, condition) -%}
    {%- set path, op, value = condition.property, condition.op, condition.get('value') -%}
    {%- if op == 'is_set' -%}
        {{ return(activation.json_is_set(column, path)) }}
    {%- elif op == 'eq' -%}
        {{ return(activation._equals_sql(column, path, value)) }}
    {%- elif op == 'in' -%}
        {#- one `in` per type of the values listed -#}
        {%- set strings = value | select('string') | list -%}
        {%- set numbers = [] -%}
        {%- set parts = [] -%}
        {%- for item in value if item is not boolean and item is number -%}
            {%- do numbers.append(activation._number_literal(item)) -%}
        {%- endfor -%}
        {%- if strings -%}
            {%- do parts.append(activation.json_string(column, path) ~ ' in (' ~ activation.string_list(strings) ~ ')') -%}
        {%- endif -%}
        {%- if numbers -%}
            {%- do parts.append(activation.json_number(column, path) ~ ' in (' ~ numbers | join(', ') ~ ')') -%}
        {%- endif -%}
        {%- for item in value | unique if item is boolean -%}
            {%- do parts.append(activation._equals_sql(column, path, item)) -%}
        {%- endfor -%}
        {{ return(parts[0] if parts | length == 1 else '(' ~ parts | join(' or ') ~ ')') }}
    {%- elif op == 'contains' -%}
        {{ return(dbt.position(activation.string_literal(value), activation.json_string(column, path)) ~ ' > 0') }}
    {%- else -%}
        {%- set comparison = {'gt': '>', 'gte': '>=', 'lt': '<', 'lte': '<='}[op] -%}
        {{ return(activation.json_number(column, path) ~ ' ' ~ comparison ~ ' ' ~ activation._number_literal(value)) }}
    {%- endif -%}
{%- endmacro %}


{#- Equality with a typed value; a string keeps the SQL of the old
    `properties: {key: 'value'}` filters. -#}
{% macro _equals_sql(column, path, value) -%}
    {%- if value is boolean -%}
        {{ return(('' if value else 'not ') ~ '(' ~ activation.json_boolean(column, path) ~ ')') }}
    {%- elif value is string -%}
        {{ return(activation.json_string(column, path) ~ ' = ' ~ activation.string_literal(value)) }}
    {%- endif -%}
    {{ return(activation.json_number(column, path) ~ ' = ' ~ activation._number_literal(value)) }}
{%- endmacro %}


{#- A number as a SQL double literal. -#}
{% macro _number_literal(value) -%}
    {{ return('cast(' ~ (value | string) ~ ' as double)') }}
{%- endmacro %}
