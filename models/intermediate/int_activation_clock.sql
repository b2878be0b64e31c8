{#- One row: the time the maturity flags are judged at: var('as_of') when
    given, else the latest accepted event (of those the models read: on
    PostHog-shaped data they arrive all day, like the rest). -#}
{%- set as_of = activation.timestamp_literal(var('as_of')) if var('as_of') else 'null' %}

select coalesce({{ as_of }}, max(event_at)) as as_of
from {{ ref('stg_events') }}
