{#- The earliest event time an incremental run must re-read: the latest
    `column` already in `relation`, less var('late_arrival_days'). None when
    the relation is empty, which means: read everything. Returned as a
    timestamp literal so that the engine can prune the scan with it. -#}
{% macro late_arrival_cutoff(relation, column) %}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set latest = run_query('select max(' ~ column ~ ') from ' ~ relation).columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set cutoff = latest - modules.datetime.timedelta(days=var('late_arrival_days')) -%}
    {{ return(activation.timestamp_literal(cutoff.strftime('%Y-%m-%d %H:%M:%S.%f'))) }}
{% endmacro %}
