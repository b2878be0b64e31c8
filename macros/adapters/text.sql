{#- Text normalization both engines do alike. The names and keys of events
    ignore surrounding spaces, and product keys case: DuckDB's trim() also
    drops Unicode spaces (no-break, em) and ClickHouse's lower() only folds
    ASCII, so the engines' defaults would not agree. -#}

{#- `text` without its leading and trailing ASCII spaces (not tabs, newlines
    or other Unicode spaces). -#}
{% macro trim_spaces(text) -%}
    {{ return(adapter.dispatch('trim_spaces', 'activation')(text)) }}
{%- endmacro %}

{% macro default__trim_spaces(text) -%}
    trim({{ text }}, ' ')
{%- endmacro %}

{#- trimBoth removes ASCII spaces only -#}
{% macro clickhouse__trim_spaces(text) -%}
    trimBoth({{ text }})
{%- endmacro %}


{#- `text` in lower case, Unicode letters included. -#}
{% macro lower_text(text) -%}
    {{ return(adapter.dispatch('lower_text', 'activation')(text)) }}
{%- endmacro %}

{% macro default__lower_text(text) -%}
    lower({{ text }})
{%- endmacro %}

{#- lower() folds ASCII letters only -#}
{% macro clickhouse__lower_text(text) -%}
    lowerUTF8({{ text }})
{%- endmacro %}
