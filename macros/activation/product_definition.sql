{#- A product's definition: the normalized product_activation() call as
    JSON, as int_activation_products lists it. -#}
{% macro product_definition(spec) -%}
    {{ return(tojson(spec, sort_keys=true)) }}
{%- endmacro %}


{#- The MD5 of product_definition(spec), of the staging_vars() and of the
    tracked_event_names(): every row of a product model records what it was
    computed with (column definition_hash), so a change of any makes the next
    build compute every organization again. The names because a change of
    them makes the staging read the whole source again, which brings in the
    events that arrived after the look-back: those would otherwise reach only
    the organizations an incremental run computes again. -#}
{% macro definition_hash(spec) -%}
    {{ return(local_md5(
        activation.product_definition(spec) ~ activation.staging_vars()
        ~ tojson(activation.tracked_event_names()))) }}
{%- endmacro %}


{#- True when a product model's table (`relation`, default: the model's
    own) holds a row computed with another definition of the product, or has
    no definition_hash column yet. The table is its own record, so which
    other models a run selects, and in what order they run, cannot hide a
    change. -#}
{% macro product_redefined(spec, relation=none) %}
    {%- set relation = relation if relation is not none else this -%}
    {%- if 'definition_hash' not in adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set other_definitions = run_query(
        'select definition_hash from ' ~ relation ~ ' where definition_hash <> '
        ~ activation.string_literal(activation.definition_hash(spec)) ~ ' limit 1') -%}
    {{ return(other_definitions.rows | length > 0) }}
{% endmacro %}
