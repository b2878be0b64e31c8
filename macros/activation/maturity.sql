{#- Whether a window ending at `window_end` is closed at `as_of` (SQL), as a
    boolean that is false, not null, when either is unknown. -#}
{% macro is_final(as_of, window_end) -%}
    cast(coalesce({{ as_of }} >= {{ window_end }}, false) as {{ dbt.type_boolean() }})
{%- endmacro %}


{#- When the survival windows of an intent month's organizations have all
    closed (SQL): the first day of the next month plus the end of the window
    (`end_months`, SQL or a number). A month is mature once `as_of` reaches
    it (is_final): the mart and activation_candidates judge it alike. -#}
{% macro month_survival_end(intent_month, end_months) -%}
    {{ dbt.dateadd('month', end_months, dbt.dateadd('month', 1, intent_month)) }}
{%- endmacro %}


{#- Whether an intent month's survival windows have all closed (SQL): the
    mature months, the only ones activation_candidates and activation_signals
    count. `intent_month` and `as_of` are SQL; `spec` is the product's
    normalized definition. -#}
{% macro is_mature_month(spec, as_of, intent_month='intent_month') -%}
    {{ activation.is_final(as_of, activation.month_survival_end(intent_month, spec.survival_window_months[1])) }}
{%- endmacro %}
