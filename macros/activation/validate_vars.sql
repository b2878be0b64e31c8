{#- Checks the project's vars before anything runs (on-run-start), and
    raises one message naming the var, the value given and what it must be:
    a wrong type otherwise builds a green, wrong mart (intent_events given as
    a string is read letter by letter) or fails deep in SQL or Python
    without naming the var. Renders to nothing. -#}
{% macro validate_vars() %}
    {%- set problems = [] -%}

    {%- set intent_events = var('intent_events') -%}
    {#- kept whole only when every entry is a name without surrounding spaces -#}
    {%- if intent_events is string or intent_events is mapping or intent_events is not sequence
        or intent_events | length == 0
        or intent_events | select('string') | map('trim', ' ') | reject('equalto', '') | list != intent_events | list -%}
        {%- do problems.append(activation.var_problem('intent_events',
            'a non-empty list of event names, without surrounding spaces')) -%}
    {%- endif -%}

    {%- set org_key_problem = activation.org_key_problem(var('org_key')) -%}
    {%- if org_key_problem -%}
        {%- do problems.append(activation.var_problem('org_key', org_key_problem)) -%}
    {%- endif -%}

    {%- set group_type = var('org_group_type') -%}
    {%- if group_type is not string or group_type | trim == '' -%}
        {%- do problems.append(activation.var_problem('org_group_type',
            'a PostHog group type, e.g. organization (the key read in properties.$groups)')) -%}
    {%- endif -%}

    {%- for name in ['late_arrival_days', 'max_future_days', 'candidate_min_activated_orgs'] -%}
        {%- set value = var(name) -%}
        {%- if value is boolean or value is not integer or value < 0 -%}
            {%- do problems.append(activation.var_problem(name, 'a whole number, 0 or more')) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- for name in ['events_warn_after_days', 'events_error_after_days'] -%}
        {%- set value = var(name) -%}
        {#- whole days: dbt's freshness config takes no fractions -#}
        {%- if value is not none and (value is boolean or value is not integer or value <= 0) -%}
            {%- do problems.append(activation.var_problem(name, 'a whole number of days above 0, or null')) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- for name in ['candidate_min_activation_rate', 'max_rejected_share'] -%}
        {%- set rate = var(name) -%}
        {%- if rate is boolean or rate is not number or rate < 0 or rate > 1 -%}
            {%- do problems.append(activation.var_problem(name, 'a share from 0 to 1')) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if var('candidate_recommend_by') not in ['retained_orgs', 'retention_lift'] -%}
        {%- do problems.append(activation.var_problem('candidate_recommend_by',
            "'retained_orgs' or 'retention_lift'")) -%}
    {%- endif -%}

    {#- the evidence models (docs/evidence.md) -#}
    {%- for name in ['retention_curve_months', 'signals_top_events'] -%}
        {%- set value = var(name) -%}
        {%- if value is boolean or value is not integer or value < 1 -%}
            {%- do problems.append(activation.var_problem(name, 'a whole number, 1 or more')) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set thresholds = var('signals_thresholds') -%}
    {%- if thresholds is string or thresholds is mapping or thresholds is not sequence or thresholds | length == 0
        or thresholds | reject('integer') | list or thresholds | select('boolean') | list
        or thresholds | select('lt', 1) | list -%}
        {%- do problems.append(activation.var_problem('signals_thresholds',
            'a non-empty list of whole numbers, 1 or more')) -%}
    {%- endif -%}
    {%- for name in ['build_signals', 'build_retention_curves'] -%}
        {%- if var(name) is not boolean -%}
            {%- do problems.append(activation.var_problem(name, 'true or false')) -%}
        {%- endif -%}
    {%- endfor -%}

    {%- for name in ['as_of', 'min_event_timestamp'] -%}
        {%- set value = var(name) -%}
        {%- if not (name == 'as_of' and value is none) and not activation.is_utc_timestamp(value) -%}
            {%- do problems.append(activation.var_problem(name,
                "a UTC time 'YYYY-MM-DD HH:MM:SS' (or a date), without a time zone"
                ~ (", or null" if name == 'as_of' else ''))) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if activation.is_utc_timestamp(var('min_event_timestamp'))
        and modules.datetime.datetime.fromisoformat(var('min_event_timestamp') | string)
            <= modules.datetime.datetime(1970, 1, 1) -%}
        {%- do problems.append(activation.var_problem('min_event_timestamp',
            "after 1970-01-01 00:00:00, where ClickHouse's dates (intent months) start")) -%}
    {%- endif -%}

    {%- if problems -%}
        {{ exceptions.raise_compiler_error(problems | join('\n')) }}
    {%- endif -%}
{% endmacro %}


{#- One line of validate_vars' message, quoting the value as given (a
    YAML date or datetime as its text). -#}
{% macro var_problem(name, expected) %}
    {%- set value = var(name) -%}
    {%- set shown = value if value is none or value is boolean or value is number or value is string
        or value is sequence else value | string -%}
    {{ return('var ' ~ name ~ ' must be ' ~ expected ~ ', got ' ~ tojson(shown)) }}
{% endmacro %}


{#- Whether a var's value names a time both engines read alike: a date, or
    a date and time (seconds, optionally fractions), and no zone, which
    DuckDB would drop and ClickHouse apply. A real calendar time: no 13th
    month or 30 February. YAML may hand over a date or datetime object: its
    text form is checked. -#}
{% macro is_utc_timestamp(value) %}
    {%- if value is none or value is boolean or value is number -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set parts = modules.re.fullmatch(
        '(\\d{4})-(\\d{2})-(\\d{2})(?: (\\d{2}):(\\d{2}):(\\d{2})(?:\\.\\d{1,6})?)?', value | string) -%}
    {%- if not parts -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set year, month, day = parts.group(1) | int, parts.group(2) | int, parts.group(3) | int -%}
    {%- set hour, minute, second = (parts.group(4) or 0) | int, (parts.group(5) or 0) | int, (parts.group(6) or 0) | int -%}
    {%- if year < 1 or month < 1 or month > 12 or day < 1 or hour > 23 or minute > 59 or second > 59 -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) -%}
    {%- set days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] -%}
    {{ return(day <= days) }}
{% endmacro %}
