{#- The events stg_events_classified holds, and the vars it was built with,
    recorded after it and stg_product_intents are built: their next
    incremental runs compare these with the ones declared then, and read
    everything again when they differ. -#}
-- depends_on: {{ ref('stg_events_classified') }}
-- depends_on: {{ ref('stg_product_intents') }}
{{ config(materialized='table', order_by='event_name') }}

{%- set tracked = activation.tracked_events() %}

{%- for name in tracked | sort %}

select
    {{ activation.string_literal(name) }} as event_name,
    {{ activation.string_literal(tracked[name] | sort | join(', ')) }} as read_by,
    {{ activation.string_literal(activation.staging_vars()) }} as staging_vars
{%- if not loop.last %}

union all
{%- endif %}
{%- else %}

select
    cast(null as {{ dbt.type_string() }}) as event_name,
    cast(null as {{ dbt.type_string() }}) as read_by,
    cast(null as {{ dbt.type_string() }}) as staging_vars
where 1 = 0
{%- endfor %}
