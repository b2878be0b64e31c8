{#- Several invariants of a model in one query, one row per offending row
    or key, with its `problem`: a null in a `not_null` column, a repeated
    value of a `unique` key (a list of columns), a row where an
    `expressions` entry is not true (false or null), a `rates` column
    outside [0, 1] (null passes), an `intervals` column `c` outside its
    bounds `c_low` and `c_high` (or, when one of the three is null, not all
    three null: an estimate has bounds, none has none). dbt spends 30-50 ms on
    each test whatever the table's size, which on a scheduled run was most
    of what its tests took: one test per model instead of one per
    invariant. -#}
{% test row_checks(model, not_null=[], unique=[], expressions=[], rates=[], intervals=[]) %}
{%- for name, value in [('not_null', not_null), ('unique', unique), ('expressions', expressions),
    ('rates', rates), ('intervals', intervals)] %}
    {%- if value is string or value is mapping %}
        {{ exceptions.raise_compiler_error(
            "row_checks on " ~ model ~ ": `" ~ name ~ "` must be a list, got " ~ value) }}
    {%- endif %}
{%- endfor %}
{%- for key in unique if key is string or not key %}
    {{ exceptions.raise_compiler_error(
        "row_checks on " ~ model ~ ": each `unique` key must be a non-empty list of columns, got " ~ key) }}
{%- endfor %}
{%- if not (not_null or unique or expressions or rates or intervals) %}
    {{ exceptions.raise_compiler_error("row_checks on " ~ model ~ ": nothing to check") }}
{%- endif %}
{#- (problem, what must be true) of each expression and interval -#}
{%- set truths = [] %}
{%- for expression in expressions %}
    {%- do truths.append(('not true: ' ~ expression, expression)) %}
{%- endfor %}
{%- for column in intervals %}
    {%- do truths.append(('outside its interval: ' ~ column, 'coalesce(' ~ column ~ '_low <= ' ~ column ~ ' and '
        ~ column ~ ' <= ' ~ column ~ '_high, ' ~ column ~ ' is null and ' ~ column ~ '_low is null and '
        ~ column ~ '_high is null)')) %}
{%- endfor %}

{%- if not_null %}
select
    case
        {%- for column in not_null %}
        when {{ column }} is null then {{ activation.string_literal('null ' ~ column) }}
        {%- endfor %}
    end as problem
from {{ model }}
where
    {%- for column in not_null %}
    {{ column }} is null{{ " or" if not loop.last }}
    {%- endfor %}
{%- endif %}
{%- if rates %}
{{ "union all" if not_null }}
select
    case
        {%- for column in rates %}
        when {{ column }} < 0 or {{ column }} > 1 then {{ activation.string_literal('rate outside [0, 1]: ' ~ column) }}
        {%- endfor %}
    end as problem
from {{ model }}
where
    {%- for column in rates %}
    {{ column }} < 0 or {{ column }} > 1{{ " or" if not loop.last }}
    {%- endfor %}
{%- endif %}
{%- for key in unique %}
{{ "union all" if not_null or rates or not loop.first }}
select {{ activation.string_literal('duplicate ' ~ key | join(', ')) }} as problem
from {{ model }}
group by {{ key | join(', ') }}
having count(*) > 1
{%- endfor %}
{%- for problem, truth in truths %}
{{ "union all" if not_null or rates or unique or not loop.first }}
select {{ activation.string_literal(problem) }} as problem
from {{ model }}
where not coalesce({{ truth }}, false)
{%- endfor %}

{% endtest %}
