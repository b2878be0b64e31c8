{{ product_activation(
    product='error_tracking',
    activation_criteria=[
        {'event': 'error tracking issue resolved'},
    ],
    activation_window_days=30,
    survival_criteria=[
        {'event': 'error tracking issue viewed'},
    ],
    survival_window_months=[3, 4],
) }}
