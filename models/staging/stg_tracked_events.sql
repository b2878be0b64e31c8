{#- The events stg_events_classified holds, and the vars it was built with,
    recorded after it and stg_product_intents are built: their next
    incremental runs compare these with the ones declared then, and read
    everything again when they differ. A run that builds this model without
    both keeps the last record (or records nothing): they did not read the
    source with this run's events and vars. -#}
-- depends_on: {{ ref('stg_events_classified') }}
-- depends_on: {{ ref('stg_product_intents') }}
{{ config(materialized='table', order_by='event_name') }}

{%- set tracked = activation.tracked_events() %}
{%- set recorded_by_them = not execute or activation.all_in_run(['stg_events_classified', 'stg_product_intents']) %}
{%- set kept = none if recorded_by_them else load_relation(this) %}
{#- once: it asks the source and the seed excluded_organizations -#}
{%- set staging_vars = activation.staging_vars() if tracked else none %}

{%- if kept is not none
    and 'staging_vars' in adapter.get_columns_in_relation(kept) | map(attribute='name') | list %}

select
    event_name,
    read_by,
    staging_vars
from {{ kept }}
{%- else %}
{%- for name in tracked | sort if recorded_by_them %}

select
    {{ activation.string_literal(name) }} as event_name,
    {{ activation.string_literal(tracked[name] | sort | join(', ')) }} as read_by,
    {{ activation.string_literal(staging_vars) }} as staging_vars
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
{%- endif %}
