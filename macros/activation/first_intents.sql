{#- Per organization and product, the first intent that is not cross-sell:
    the earliest of its intents that are not, the smallest event uuid
    breaking ties on time. `where` narrows the intents before the first one
    is chosen (a product's allowed intent contexts, the organizations an
    incremental run reads again).

    Cross-sell intents and intents without a product are ranked after the
    others in their partition and dropped after ranking, not before: the
    same first intent, but ClickHouse then filters on `where` alone before
    parsing the properties' JSON (100M events, the 3,910 organizations of an
    incremental day: 0.62 -> 0.13 s; DuckDB: no difference). The last
    filter names ranked_intents' columns: ClickHouse could otherwise read
    `product` as the assumeNotNull() alias of the select list. A subquery,
    not a CTE: in a pre-hook's lightweight delete (delete_stale_product_rows)
    ClickHouse qualifies a CTE's name with the database and finds no such
    table. -#}
{% macro first_intents(where=none) %}
select
    org_id,
    {{ activation.non_nullable('product') }} as product,
    intent_at,
    cast({{ dbt.date_trunc('month', 'intent_at') }} as date) as intent_month,
    intent_context,
    intent_event_name,
    event_uuid as intent_event_uuid
from (

    select
        *,
        row_number() over (
            partition by org_id, product
            order by is_cross_sell, intent_at, event_uuid
        ) as intent_number
    from {{ ref('stg_intent_events') }}
    {%- if where %}
    where {{ where }}
    {%- endif %}

) as ranked_intents
where
    ranked_intents.intent_number = 1
    and not ranked_intents.is_cross_sell
    and ranked_intents.product is not null
{% endmacro %}
