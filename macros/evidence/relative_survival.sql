{#- The relative survival of one group against another (contract 6a):
    (a / n1) / (c / n2), a = survivors of the first group (n1 organizations),
    c = survivors of the second (n2), with its 95% Katz log interval,
    exp(ln RR +- z * sqrt(1/a - 1/n1 + 1/c - 1/n2)). `part` is 'estimate',
    'low' or 'high'. Null when a cell of the 2x2 table is 0 (a, n1 - a, c,
    n2 - c): the estimate or its log interval is then undefined or
    degenerate. All in double; nullif rather than case (see wilson_interval). -#}
{% macro relative_survival(a, n1, c, n2, part='estimate') -%}
    {%- if part not in ['estimate', 'low', 'high'] -%}
        {{ exceptions.raise_compiler_error(
            "relative_survival: part must be 'estimate', 'low' or 'high', got '" ~ part ~ "'") }}
    {%- endif -%}
    {#- a cell that is 0 makes its factor null, and so the whole figure -#}
    {%- set a_ = 'nullif(cast(' ~ a ~ ' as double), 0)' -%}
    {%- set c_ = 'nullif(cast(' ~ c ~ ' as double), 0)' -%}
    {%- set n1_ = '(' ~ a_ ~ ' + nullif(cast(' ~ n1 ~ ' as double) - cast(' ~ a ~ ' as double), 0))' -%}
    {%- set n2_ = '(' ~ c_ ~ ' + nullif(cast(' ~ n2 ~ ' as double) - cast(' ~ c ~ ' as double), 0))' -%}
    {%- set estimate = '((' ~ a_ ~ ' / ' ~ n1_ ~ ') / (' ~ c_ ~ ' / ' ~ n2_ ~ '))' -%}
    {%- if part == 'estimate' -%}
        {{ estimate }}
    {%- else -%}
        exp(
            ln({{ estimate }})
            {{ '-' if part == 'low' else '+' }} {{ activation.interval_z() }}
            * sqrt(1 / {{ a_ }} - 1 / {{ n1_ }} + 1 / {{ c_ }} - 1 / {{ n2_ }})
        )
    {%- endif -%}
{%- endmacro %}
