{#- The timestamp type of the models: microseconds, like PostHog's events. -#}
{% macro type_timestamp() -%}
    {{ return(adapter.dispatch('type_timestamp', 'activation')()) }}
{%- endmacro %}

{% macro default__type_timestamp() -%}
    timestamp
{%- endmacro %}

{% macro clickhouse__type_timestamp() -%}
    DateTime64(6, 'UTC')
{%- endmacro %}


{#- An expression known to hold no null, typed so. ClickHouse keeps columns
    Nullable through casts and filters, and refuses Nullable sorting keys. -#}
{% macro non_nullable(expression) -%}
    {{ return(adapter.dispatch('non_nullable', 'activation')(expression)) }}
{%- endmacro %}

{% macro default__non_nullable(expression) -%}
    {{ expression }}
{%- endmacro %}

{% macro clickhouse__non_nullable(expression) -%}
    assumeNotNull({{ expression }})
{%- endmacro %}
