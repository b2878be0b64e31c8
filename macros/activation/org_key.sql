{#- Where a source row's organization key is read (var org_key), as
    {'column': name} or {'paths': [property paths, first found wins]}:

    - '$group_0' (any name without the `properties.` prefix): that column;
    - 'properties.<key>': ONE top-level key of properties, taken whole
      (dots and slashes are part of it);
    - ['properties', key, ...]: the keys from the top, nested;
    - '$group_0' when the source has no such column (PostHog's batch
      exports): properties.$group_0, which PostHog's ingestion copies there,
      then properties.$groups.<var org_group_type>, which the SDKs send.

    Whether the column exists is asked of the source only where the staging
    reads it or its record is compared (run, build, test, show; not in unit
    tests, whose source is a fixture, nor in compile, docs or lint, which
    may run without the source at hand: those see the column form). -#}
{% macro org_key_reading() %}
    {#- none: a host project's product model while dbt parses, which sees no
        var of this package; its SQL is rendered again when it runs -#}
    {%- set org_key = activation.setting('org_key') or '$group_0' -%}
    {%- if org_key is not string -%}
        {{ return({'paths': [org_key[1:] | list]}) }}
    {%- elif org_key.startswith('properties.') -%}
        {{ return({'paths': [[org_key[11:]]]}) }}
    {%- elif org_key == '$group_0' and activation.source_is_inspected()
        and '$group_0' not in activation.source_column_names(source('posthog', 'events')) -%}
        {{ return({'paths': [['$group_0'], ['$groups', activation.setting('org_group_type')]]}) }}
    {%- endif -%}
    {{ return({'column': org_key}) }}
{% endmacro %}


{#- Whether this node may ask the source (and the project's tables) what
    they hold: see org_key_reading. -#}
{% macro source_is_inspected() %}
    {{ return(execute and model.resource_type != 'unit_test' and flags.WHICH in ['run', 'build', 'test', 'show', 'retry']) }}
{% endmacro %}


{#- The organization key of a source row (SQL): trimmed, null when blank,
    read as org_key_reading() says. `properties_text`: the properties as
    text, '{}' for null. A property counts only when it is a JSON string,
    and only in a JSON object: DuckDB's JSON functions raise on other text. -#}
{% macro source_org_id(properties_text) -%}
    {%- set reading = activation.org_key_reading() -%}
    {%- if reading.column is defined -%}
        nullif({{ activation.trim_spaces('cast(' ~ adapter.quote(reading.column) ~ ' as ' ~ dbt.type_string() ~ ')') }}, '')
    {%- else -%}
        {%- set found = [] -%}
        {%- for path in reading.paths -%}
            {%- do found.append('nullif(' ~ activation.trim_spaces(activation.json_string('properties', path)) ~ ", '')") -%}
        {%- endfor -%}
        case when {{ activation.is_json_object(properties_text) }}
            then {{ found[0] if found | length == 1 else 'coalesce(' ~ found | join(', ') ~ ')' }}
        end
    {%- endif -%}
{%- endmacro %}


{#- How staging_vars records the organization's reading: var org_key's
    text for a column and properties.<key> (as before paths existed, so that
    a warehouse built then does not read everything again), its list for a
    path, and, when a missing $group_0 column sends the reading to the
    properties, the paths read there (org_group_type's change, or a source
    that gains or loses the column, then reads everything again). -#}
{% macro org_key_record() %}
    {%- set org_key = activation.setting('org_key') or '$group_0' -%}
    {%- set record = {'org_key': org_key if org_key is string else org_key | list} -%}
    {%- set reading = activation.org_key_reading() -%}
    {%- if org_key is string and not org_key.startswith('properties.') and reading.paths is defined -%}
        {%- do record.update({'org_key_properties': reading.paths}) -%}
    {%- endif -%}
    {{ return(record) }}
{% endmacro %}


{#- What is wrong with var org_key (text for validate_vars), or none. -#}
{% macro org_key_problem(org_key) %}
    {%- set forms = "a column name ('$group_0'), 'properties.<key>' for one top-level key of properties, "
        ~ "or a list ['properties', <key>, ...] for nested keys" -%}
    {%- if org_key is string -%}
        {%- if org_key | trim == '' or org_key == 'properties.' -%}
            {{ return(forms) }}
        {%- endif -%}
    {%- elif org_key is mapping or org_key is not sequence -%}
        {{ return(forms) }}
    {%- elif org_key | length < 2 or org_key[0] != 'properties' -%}
        {{ return(forms ~ ": a list starts with 'properties' and names at least one key") }}
    {%- elif org_key | reject('string') | list or org_key | select('equalto', '') | list -%}
        {{ return(forms ~ ": every key a non-empty string") }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}
