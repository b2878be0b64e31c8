{#- Five different recordings analyzed (the same one opened five times is
    one), plus a filter. The candidates are compared in
    activation_candidates (docs: "Choosing a definition"). -#}
{{ product_activation(
    product='session_replay',
    activation_criteria=[
        {'event': 'recording analyzed', 'min_count': 5, 'distinct': 'recording_id', 'label': 'different recordings'},
        {'event': 'replay list filter added'},
    ],
    activation_window_days=30,
    survival_criteria=[
        {'event': 'recording analyzed', 'min_count': 1},
    ],
    survival_window_months=[3, 4],
    candidates=[
        {'name': 'one_recording', 'activation_criteria': [{'event': 'recording analyzed'}]},
        {
            'name': 'three_recordings',
            'activation_criteria': [
                {'event': 'recording analyzed', 'min_count': 3, 'distinct': 'recording_id', 'label': 'different recordings'},
            ],
        },
        {
            'name': 'ten_recordings',
            'activation_criteria': [
                {'event': 'recording analyzed', 'min_count': 10, 'distinct': 'recording_id', 'label': 'different recordings'},
            ],
        },
        {'name': 'one_filter', 'activation_criteria': [{'event': 'replay list filter added'}]},
        {
            'name': 'current_in_14_days',
            'activation_criteria': [
                {'event': 'recording analyzed', 'min_count': 5, 'distinct': 'recording_id', 'label': 'different recordings'},
                {'event': 'replay list filter added'},
            ],
            'activation_window_days': 14,
        },
        {
            'name': 'five_views_or_a_filter',
            'activation_criteria': [
                {'any_of': [
                    {'event': 'recording analyzed', 'min_count': 5},
                    {'event': 'replay list filter added', 'where': [{'property': 'filter_count', 'op': 'gte', 'value': 2}]},
                ]},
            ],
        },
    ],
) }}
