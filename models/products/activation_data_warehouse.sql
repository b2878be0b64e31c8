{{ product_activation(
    product='data_warehouse',
    activation_criteria=[
        {'event': 'data warehouse source connected'},
        {'event': 'sql query run'},
    ],
    activation_window_days=30,
    survival_criteria=[
        {'event': 'sql query run'},
    ],
    survival_window_months=[3, 4],
) }}
