{#- For a model that reads the product models' tables. It finds them when it
    runs, so it has no ref() to them and dbt's DAG no edge; it refs
    int_activation_products, which has every parent a product model has, so
    with threads: 1 dbt runs it after every product model of the run, as
    long as int_activation_products is in the run too. When this invocation
    also builds a product model and either does not hold, stop rather than
    read a half-built or stale table. Compiling alone passes. -#}
{% macro require_products_built_first(products) %}
    {%- if execute and model.resource_type != 'unit_test' and flags.WHICH in ['run', 'build'] -%}
        {%- for product in products if product.node.unique_id in selected_resources -%}
            {%- if target.threads > 1 -%}
                {{ exceptions.raise_compiler_error(
                    model.name ~ " reads the product models, which dbt runs before it only with threads: 1 "
                    ~ "(it finds them when it runs; see README, 'Adding a product'). "
                    ~ "Set threads: 1 in the profile or pass --threads 1.") }}
            {%- elif not activation.all_in_run(['int_activation_products']) -%}
                {{ exceptions.raise_compiler_error(
                    model.name ~ " reads the product models, and this run builds " ~ product.model
                    ~ ": dbt runs it after them only when int_activation_products is selected too "
                    ~ "(see README, 'Adding a product'). Add int_activation_products to the selection, "
                    ~ "or select " ~ model.name ~ " with its parents (+" ~ model.name ~ ").") }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
