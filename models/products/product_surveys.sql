{{ product_activation(
    product='surveys',
    activation_criteria=[
        {'event': 'survey launched'},
    ],
    activation_window_days=30,
    survival_criteria=[
        {'event': 'survey response viewed'},
    ],
    survival_window_months=[3, 4],
) }}
