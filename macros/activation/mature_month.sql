{#- Whether an intent month's survival windows have all closed (SQL): the
    mature months, the only ones activation_candidates and activation_signals
    count. `intent_month` and `as_of` are SQL; `spec` is the product's
    normalized definition. -#}
{% macro is_mature_month(spec, as_of, intent_month='intent_month') -%}
    {{ activation.is_final(as_of, activation.month_survival_end(intent_month, spec.survival_window_months[1])) }}
{%- endmacro %}
