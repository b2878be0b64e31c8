{{ product_activation(
    product='product_analytics',
    activation_criteria=[
        {'event': 'insight saved', 'min_count': 3},
        {'event': 'dashboard created'},
    ],
    activation_window_days=30,
    survival_criteria=[
        {'event': 'insight viewed'},
    ],
    survival_window_months=[3, 4],
) }}
