{#- Which rows the data tests check. The scheduled job's hourly run checks
    the days it wrote (env ACTIVATION_CHECKS=recent, set by
    scripts/scheduled_run.py), so that its checks cost what the new events
    cost; every other run checks everything: a plain `dbt build`, a
    --full-refresh (whatever the env says), and the scheduled job's
    --full-checks mode. An env var rather than a var: dbt parses the whole
    project again when the vars change, and the hourly and nightly runs would
    each pay for it. -#}
{% macro checks_recent_only() %}
    {%- if not execute or flags.FULL_REFRESH -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set scope = env_var('ACTIVATION_CHECKS', 'all') -%}
    {%- if scope not in ['all', 'recent'] -%}
        {{ exceptions.raise_compiler_error(
            "env ACTIVATION_CHECKS must be 'all' or 'recent', got '" ~ scope ~ "'") }}
    {%- endif -%}
    {{ return(scope == 'recent') }}
{% endmacro %}


{#- The first day a recent-only check looks at, as a timestamp literal: the
    day of stg_events_classified's cutoff (its latest accepted event less var
    late_arrival_days), which holds every row the last incremental run read
    again from the source. None (check every day) when every row is to be
    checked, or when nothing is stored yet. -#}
{% macro checked_since() %}
    {%- if not activation.checks_recent_only() -%}
        {{ return(none) }}
    {%- endif -%}
    {#- through the graph: a test's ref() of a model it does not read fails -#}
    {%- set classified = activation.built_relation('stg_events_classified') -%}
    {%- if classified is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set latest = run_query('select max(event_at) from ' ~ classified
        ~ ' where rejection_reason is null').columns[0].values()[0] -%}
    {%- if latest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set cutoff = latest - modules.datetime.timedelta(days=var('late_arrival_days')) -%}
    {{ return(activation.timestamp_literal(cutoff.strftime('%Y-%m-%d 00:00:00'))) }}
{% endmacro %}


{#- A predicate on the timestamp `column` of event rows: those a recent-only
    check looks at (see checked_since and read_again: the days since the
    cutoff's, and the rows with no usable time), or every row. -#}
{% macro recently_written(column) -%}
    {{ activation.read_again(column, activation.checked_since()) }}
{%- endmacro %}


{#- A predicate on an organization column: the rows a recent-only check
    looks at (the organizations with a stored event, kept or rejected, on the
    days since checked_since, and rows with no organization), or every row.
    The incremental models compute again only organizations with events
    since their look-back, so a row they rewrote belongs to one of these;
    the other organizations' rows are checked by --full-checks. -#}
{% macro recently_active(column) -%}
    {%- set since = activation.checked_since() -%}
    {%- if since is none -%}
        1 = 1
    {%- else -%}
        {%- set active = 'select org_id from ' ~ activation.built_relation('stg_events_classified')
            ~ ' where ' ~ activation.read_again('event_at', since) -%}
        ({{ column }} is null or {{ column }} in ({{ activation.small_side('org_id', active) }}))
    {%- endif -%}
{%- endmacro %}


{#- dbt's get_where_subquery, which applies a data test's `where` config,
    with two additions: `__recently_written__(<column>)` in it stands for
    recently_written(<column>), `__recently_active__(<column>)` for
    recently_active(<column>). A yml `where` cannot call a project macro (it
    is rendered when dbt parses the project), hence the placeholders,
    rendered when the test runs, as dbt's docs advise. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {#- a namespace: a `set` inside the loop would not outlive it -#}
        {%- set filter = namespace(sql=where) -%}
        {%- for placeholder, predicate in [('__recently_written__', activation.recently_written),
                                            ('__recently_active__', activation.recently_active)] -%}
            {%- set pattern = modules.re.compile(placeholder ~ '\\(\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)') -%}
            {%- for column in pattern.findall(filter.sql) | unique -%}
                {%- set filter.sql = modules.re.sub(
                    placeholder ~ '\\(\\s*' ~ column ~ '\\s*\\)', predicate(column) | trim, filter.sql) -%}
            {%- endfor -%}
            {%- if placeholder in filter.sql -%}
                {{ exceptions.raise_compiler_error(
                    "a test's where config uses " ~ placeholder ~ " without one column name: " ~ where) }}
            {%- endif -%}
        {%- endfor -%}
        {% do return('(select * from ' ~ relation ~ ' where ' ~ filter.sql ~ ') dbt_subquery') %}
    {%- endif -%}
    {% do return(relation) %}
{%- endmacro %}
