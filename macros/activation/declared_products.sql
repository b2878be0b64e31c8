{#- The product models of the project, found through their config meta (set
    by product_activation), sorted by product. Empty at parse time: dbt only
    knows the whole graph when it executes. Raises when two models declare the
    same product, since the mart would count it twice. -#}
{% macro declared_products() %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set products = [] -%}
    {%- set seen = {} -%}
    {%- for node in graph.get('nodes', {}).values()
        if node.resource_type == 'model' and node.config.meta.get('activation') -%}
        {%- set spec = node.config.meta['activation'] -%}
        {%- if spec.product in seen -%}
            {{ exceptions.raise_compiler_error(
                "product '" ~ spec.product ~ "' is declared by two models, " ~ seen[spec.product]
                ~ " and " ~ node.name ~ ": keep one product_activation() call per product") }}
        {%- endif -%}
        {%- do seen.update({spec.product: node.name}) -%}
        {%- do products.append({'model': node.name, 'node': node, 'spec': spec}) -%}
    {%- endfor -%}
    {{ return(products | sort(attribute='spec.product')) }}
{% endmacro %}


{#- The built table of a product model; a clear error when a run needs it
    and it is missing, or holds rows of another definition than the
    project's (a build that selected the reader but not the product model,
    e.g. -s +activation_candidates after a definition changed: dbt's DAG has
    no edge from the product models to their readers). Checked only when the
    run does not build the product model: one that does builds it first
    (require_products_built_first), so a plain dbt build asks nothing more.
    Compiling alone (docs, lint) needs only its name. -#}
{% macro product_relation(product) %}
    {%- set node = product.node -%}
    {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
    {%- if relation is none and flags.WHICH not in ['run', 'build', 'test'] -%}
        {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
    {%- endif -%}
    {%- if relation is none -%}
        {{ exceptions.raise_compiler_error(
            "the table of product model '" ~ product.model ~ "' does not exist yet: build it first ("
            ~ "dbt build builds it before " ~ model.name ~ " when threads is 1)") }}
    {%- endif -%}
    {%- if flags.WHICH in ['run', 'build', 'test'] and model.resource_type != 'unit_test'
        and product.node.unique_id not in selected_resources
        and activation.product_redefined(product.spec, relation) -%}
        {{ exceptions.raise_compiler_error(
            "product '" ~ product.spec.product ~ "': the table of " ~ product.model ~ " was computed with another "
            ~ "definition than the project's now (its criteria, windows, contexts or candidates, the vars "
            ~ "org_key, intent_events, min_event_timestamp or the source's location, the events the models read, "
            ~ "or an upgrade of how the staging reads the source), so "
            ~ model.name ~ " would read stale rows. Run a plain dbt build, which builds it first, or select it "
            ~ "too: dbt build -s +" ~ product.model ~ " +" ~ model.name ~ ".") }}
    {%- endif -%}
    {{ return(relation) }}
{% endmacro %}


{#- The table a model of this project left at the last run, or none. Found
    through the graph, not ref(): a model reads what an earlier run recorded
    in a model rebuilt after it (stg_tracked_events). -#}
{% macro built_relation(model_name) %}
    {%- set node = graph.nodes.values() | selectattr('name', 'equalto', model_name) | first -%}
    {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
{% endmacro %}


{#- True when this run or build builds every model of this project named in
    `model_names` (always outside run and build: compiling renders the usual
    SQL). -#}
{% macro all_in_run(model_names) %}
    {%- if flags.WHICH not in ['run', 'build'] -%}
        {{ return(true) }}
    {%- endif -%}
    {%- for name in model_names -%}
        {%- set node = graph.nodes.values() | selectattr('name', 'equalto', name) | first -%}
        {%- if node.unique_id not in selected_resources -%}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{% endmacro %}
