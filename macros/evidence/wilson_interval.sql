{#- One bound of the Wilson score interval, 95% (contract 6a), of `successes`
    out of `trials` (SQL, whole numbers): with p = k/n,
    centre = (p + z^2/(2n)) / (1 + z^2/n),
    half = z * sqrt(p(1-p)/n + z^2/(4n^2)) / (1 + z^2/n);
    `bound` 'low' is centre - half, 'high' centre + half. Null when n = 0
    (nullif, not a case: ClickHouse evaluates every branch of a case, and a
    null propagates on both engines). Everything in double, in the same
    order on both engines, so that they agree to the last bits. Exact at
    k = 0 and k = n, and held in [0, 1], against rounding. -#}
{% macro wilson_interval(successes, trials, bound) -%}
    {%- if bound not in ['low', 'high'] -%}
        {{ exceptions.raise_compiler_error(
            "wilson_interval: bound must be 'low' or 'high', got '" ~ bound ~ "'") }}
    {%- endif -%}
    {%- set z = activation.interval_z() -%}
    {%- set n = 'nullif(cast(' ~ trials ~ ' as double), 0)' -%}
    {%- set p = '(cast(' ~ successes ~ ' as double) / ' ~ n ~ ')' -%}
    {%- set interval_bound -%}
    (
        ({{ p }} + {{ z }} * {{ z }} / (2 * {{ n }}))
        {{ '-' if bound == 'low' else '+' }} {{ z }} * sqrt(
            {{ p }} * (1 - {{ p }}) / {{ n }} + {{ z }} * {{ z }} / (4 * {{ n }} * {{ n }})
        )
    ) / (1 + {{ z }} * {{ z }} / {{ n }})
    {%- endset -%}
    {#- at k = 0 (k = n) the bound is exactly 0 (1), which rounding could
        miss by a hair either way, leaving the rate outside its own interval:
        set exactly (0/n and n/n, null when n = 0), and held in [0, 1] -#}
    {%- if bound == 'low' -%}
    case
        when {{ successes }} = 0 then cast(0 as double) / {{ n }}
        when {{ interval_bound }} < 0 then cast(0 as double)
        else {{ interval_bound }}
    end
    {%- else -%}
    case
        when {{ successes }} = {{ trials }} then cast({{ trials }} as double) / {{ n }}
        when {{ interval_bound }} > 1 then cast(1 as double)
        else {{ interval_bound }}
    end
    {%- endif -%}
{%- endmacro %}


{#- The normal quantile of the 95% intervals (contract 6a), as SQL. -#}
{% macro interval_z() -%}
    cast(1.959964 as double)
{%- endmacro %}
