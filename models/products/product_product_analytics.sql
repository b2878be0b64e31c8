{#- PostHog's own query: intents from PostHog Cloud only (realm), and an
    organization is retained when it viewed or saved an insight in month 3. -#}
{{ product_activation(
    product='product_analytics',
    activation_criteria=[
        {'event': 'insight saved', 'min_count': 3},
        {'event': 'dashboard created'},
    ],
    activation_window_days=30,
    survival_criteria=[
        {'event': ['insight viewed', 'insight saved']},
    ],
    survival_window_months=[3, 4],
    intent_conditions=[
        {'property': 'realm', 'op': 'eq', 'value': 'cloud'},
    ],
) }}
