{#- For a model that reads the product models' tables. It finds them when it
    runs, so it has no ref() to them and dbt's DAG no edge: only with
    threads: 1 does dbt run it after them (README, "Adding a product"). With
    more threads, when this invocation also builds a product model, stop
    rather than read a half-built or stale table. Compiling alone passes. -#}
{% macro require_products_built_first(products) %}
    {%- if execute and target.threads > 1 -%}
        {%- for product in products if product.node.unique_id in selected_resources -%}
            {{ exceptions.raise_compiler_error(
                model.name ~ " reads the product models, which dbt runs before it only with threads: 1 "
                ~ "(it finds them when it runs; see README, 'Adding a product'). "
                ~ "Set threads: 1 in the profile or pass --threads 1.") }}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
