{{ product_activation(
    product='session_replay',
    activation_criteria=[
        {'event': 'recording analyzed', 'min_count': 5},
        {'event': 'replay list filter added'},
    ],
    activation_window_days=30,
    survival_criteria=[
        {'event': 'recording analyzed', 'min_count': 1},
    ],
    survival_window_months=[3, 4],
) }}
