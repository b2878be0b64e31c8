{#- The timestamp type of the models: microseconds, like PostHog's events. -#}
{% macro type_timestamp() -%}
    {{ return(adapter.dispatch('type_timestamp', 'activation')()) }}
{%- endmacro %}

{% macro default__type_timestamp() -%}
    timestamp
{%- endmacro %}
