{#- PostHog counts SQL queries that do not read the `events` table: those
    read what the data warehouse brought in. -#}
{{ product_activation(
    product='data_warehouse',
    activation_criteria=[
        {'event': 'data warehouse source connected'},
        {'event': 'sql query run', 'where': [{'property': 'query', 'op': 'not_contains', 'value': 'events'}]},
    ],
    activation_window_days=30,
    survival_criteria=[
        {'event': 'sql query run'},
    ],
    survival_window_months=[3, 4],
) }}
