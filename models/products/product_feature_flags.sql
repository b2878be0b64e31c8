{#- Only flags that target by property count: rollout-only flags are easy to
    create and say little about adoption. -#}
{{ product_activation(
    product='feature_flags',
    activation_criteria=[
        {'event': 'feature flag created', 'min_count': 2, 'properties': {'filter_type': 'property'}},
        {'event': 'feature flag updated', 'min_count': 2, 'properties': {'filter_type': 'property'}},
    ],
    activation_window_days=14,
    survival_criteria=[{'event': 'feature flag updated'}],
    survival_window_months=[3, 4],
) }}
