{{ config(materialized='table', order_by='(product, org_id)') }}

{{ activation.first_intents() }}
