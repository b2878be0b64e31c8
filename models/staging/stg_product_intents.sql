{#- Per organization and product, the first non-cross-sell intent.
    Incremental: the pre-hook deletes every row of the organizations that have
    an intent event (kept or rejected) at or after the cutoff, and the run
    appends them again, computed from all of their intents. -#}
-- depends_on: {{ ref('stg_events_classified') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ activation.delete_product_intents_read_again() }}",
    order_by='(product, org_id)',
) }}

{%- set orgs = activation.product_intents_to_recompute() if is_incremental() else none %}

{%- if orgs is none %}
{{ activation.first_intents() }}
{%- else %}
{{ activation.first_intents(where=activation.org_id_among(orgs)) }}
{%- endif %}
{{ activation.stored_order() }}
