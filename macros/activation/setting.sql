{#- The value of var `name` as this package's nodes see it, for macros a
    product model calls. dbt scopes vars by the package of the node being
    built: a product model of a project that uses this one as a package
    sees neither this package's defaults nor the vars the project sets
    under `activation:`. So int_activation_products records, while parsing,
    the values of the vars product models read (product_model_var_values)
    in its config, and such a model reads them from there when it runs.
    Everywhere else (this package's nodes, hooks, parsing) plain var(). -#}
{% macro setting(name) %}
    {%- set package = (model.package_name if model is defined and model else none) or 'activation' -%}
    {%- if package == 'activation' or not execute -%}
        {{ return(var(name)) }}
    {%- endif -%}
    {%- set recorder = graph.nodes.get('model.activation.int_activation_products') -%}
    {%- if recorder is none or name not in recorder.config.meta.get('activation_vars', {}) -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ ": not recorded by model int_activation_products of package activation, "
            ~ "which a product model outside the package reads it from (docs/as-a-package.md)") }}
    {%- endif -%}
    {{ return(recorder.config.meta.activation_vars[name]) }}
{% endmacro %}


{#- The vars a product model reads (through setting()), with their values
    for this package's nodes: what int_activation_products records. -#}
{% macro product_model_var_values() %}
    {%- set values = {} -%}
    {%- for name in ['org_key', 'org_group_type', 'intent_events', 'min_event_timestamp', 'late_arrival_days',
        'events_path', 'events_database', 'events_table'] -%}
        {%- do values.update({name: var(name)}) -%}
    {%- endfor -%}
    {{ return(values) }}
{% endmacro %}
