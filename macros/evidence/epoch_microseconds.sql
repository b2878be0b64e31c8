{#- Microseconds since 1970 of a timestamp of the models' type (SQL, a
    whole number): differences of times in a unit both engines compute
    exactly, for the evidence models' day figures. -#}
{% macro epoch_microseconds(timestamp) -%}
    {{ return(adapter.dispatch('epoch_microseconds', 'activation')(timestamp)) }}
{%- endmacro %}

{% macro default__epoch_microseconds(timestamp) -%}
    epoch_us({{ timestamp }})
{%- endmacro %}

{% macro clickhouse__epoch_microseconds(timestamp) -%}
    toUnixTimestamp64Micro({{ timestamp }})
{%- endmacro %}
