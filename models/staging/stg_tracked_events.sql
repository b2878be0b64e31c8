{#- The events stg_events_classified holds, recorded after it is built: its
    next incremental run compares these names with the ones declared then,
    and reads the whole source again when they differ. -#}
-- depends_on: {{ ref('stg_events_classified') }}
{{ config(materialized='table', order_by='event_name') }}

{%- set tracked = activation.tracked_events() %}

{%- for name in tracked | sort %}

select
    {{ activation.string_literal(name) }} as event_name,
    {{ activation.string_literal(tracked[name] | sort | join(', ')) }} as read_by
{%- if not loop.last %}

union all
{%- endif %}
{%- else %}

select
    cast(null as {{ dbt.type_string() }}) as event_name,
    cast(null as {{ dbt.type_string() }}) as read_by
where 1 = 0
{%- endfor %}
