{{ product_activation(
    product='experiments',
    activation_criteria=[
        {'event': 'experiment launched'},
    ],
    activation_window_days=14,
    survival_criteria=[
        {'event': 'experiment viewed'},
    ],
    survival_window_months=[3, 4],
) }}
