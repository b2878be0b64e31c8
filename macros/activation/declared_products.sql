{#- The product models the marts read: the model names in var
    product_models, checked. A list and not a search of the graph because
    dbt draws an edge only for a ref() it sees while parsing, and while
    parsing no model knows which other models exist. -#}
{% macro product_model_names() %}
    {%- set names = var('product_models', none) -%}
    {%- if names is none -%}
        {{ exceptions.raise_compiler_error(
            "var product_models is not set: list the product models there (in a project that uses activation "
            ~ "as a package, at the top level of vars, so that its product models see it too; "
            ~ "docs/as-a-package.md)") }}
    {%- endif -%}
    {%- if names is string or names is mapping or names is not sequence
        or names | select('string') | reject('equalto', '') | list | length != names | length
        or names | unique | list | length != names | length -%}
        {{ exceptions.raise_compiler_error(
            "var product_models must be a list of product model names, each once, got " ~ tojson(names)
            ~ " (docs/adding-a-product.md)") }}
    {%- endif -%}
    {{ return(names | list) }}
{% endmacro %}


{#- A ref() to every product model, rendering nothing: called by each model
    or test that reads the product models' tables, at the top. dbt records
    the refs while parsing, so it runs the product models first, whatever
    the threads, `-s product_<product>+` selects the reader too, and the
    docs' lineage shows the product models feeding it. -#}
{% macro ref_product_models() %}
    {%- for entry in activation.product_model_names() -%}
        {%- do activation.product_model_ref(entry) -%}
    {%- endfor -%}
{% endmacro %}


{#- The ref() of an entry of var product_models: a model name is the root
    project's model, `<package>.<model>` a package's (e.g.
    activation.product_surveys, an example product kept by a project that
    uses this one as a package). Always with the package: a package's model
    that refs a root project's model by name alone makes dbt warn. -#}
{% macro product_model_ref(entry) %}
    {%- set package, name = entry.split('.', 1) if '.' in entry else [project_name, entry] -%}
    {{ return(ref(package, name)) }}
{% endmacro %}


{#- For product_activation, at parse: stops a product model that var
    product_models does not list, naming the line to add. The marts would
    not read it, and dbt would not run it before them. Only the root
    project's models: in a project that uses this one as a package, the
    package's example products are switched off, and dbt cannot tell a
    disabled model while it parses it. -#}
{% macro require_listed_product_model(product) %}
    {%- if model.resource_type == 'model' and model.package_name == project_name
        and model.name not in activation.product_model_names() -%}
        {%- set where = "vars: activation: product_models:" if model.package_name == 'activation'
            else "vars: product_models: (top level, so that your product models see it too)" -%}
        {{ exceptions.raise_compiler_error(
            "product '" ~ product ~ "': model " ~ model.name ~ " is not in var product_models, so the marts "
            ~ "would not read it. Add the line `- " ~ model.name ~ "` to the list under " ~ where
            ~ " in dbt_project.yml (docs/adding-a-product.md).") }}
    {%- endif -%}
{% endmacro %}


{#- The product models of var product_models with their definitions (the
    meta product_activation sets), sorted by product. Empty at parse time
    (the definitions are known once dbt has parsed every model) and in unit
    tests. Raises when a
    listed model is not a product model, or two declare the same product,
    since the mart would count it twice. -#}
{% macro declared_products() %}
    {#- unit tests run with an empty graph: they read no product model -#}
    {%- if not execute or not graph.get('nodes') -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set products = [] -%}
    {%- set seen = {} -%}
    {%- for entry in activation.product_model_names() -%}
        {%- set package, name = entry.split('.', 1) if '.' in entry else [project_name, entry] -%}
        {%- set node = graph.nodes.get('model.' ~ package ~ '.' ~ name) -%}
        {%- set spec = node.config.meta.get('activation') -%}
        {%- if not spec -%}
            {{ exceptions.raise_compiler_error(
                "var product_models lists " ~ entry ~ ", which is not a product model (its file has no "
                ~ "product_activation() call): remove it from the list") }}
        {%- endif -%}
        {%- if spec.product in seen -%}
            {{ exceptions.raise_compiler_error(
                "product '" ~ spec.product ~ "' is declared by two models, " ~ seen[spec.product]
                ~ " and " ~ node.name ~ ": keep one product_activation() call per product") }}
        {%- endif -%}
        {%- do seen.update({spec.product: node.name}) -%}
        {%- do products.append({'model': node.name, 'entry': entry, 'node': node, 'spec': spec}) -%}
    {%- endfor -%}
    {{ return(products | sort(attribute='spec.product')) }}
{% endmacro %}


{#- The built table of a product model, for a model that reads it (and has
    ref_product_models() at its top, so dbt builds the product model first
    when the run selects both). When the run does not build it (e.g. -s
    activation_candidates alone), a clear error if the table is missing or
    holds rows of another definition than the project's (a definition
    changed since it was built): the reader would read stale rows.
    Compiling alone (docs, lint) needs only its name. -#}
{% macro product_relation(product) %}
    {%- set relation = activation.product_model_ref(product.entry) -%}
    {%- if flags.WHICH in ['run', 'build', 'test'] and model.resource_type != 'unit_test'
        and product.node.unique_id not in selected_resources -%}
        {%- set advice = "Run a plain dbt build, or select it too: dbt build -s +" ~ model.name ~ "." -%}
        {%- if adapter.get_relation(database=relation.database, schema=relation.schema,
            identifier=relation.identifier) is none -%}
            {{ exceptions.raise_compiler_error(
                "the table of product model '" ~ product.model ~ "' does not exist yet, and this run does not "
                ~ "build it. " ~ advice) }}
        {%- endif -%}
        {%- if activation.product_redefined(product.spec, relation) -%}
            {{ exceptions.raise_compiler_error(
                "product '" ~ product.spec.product ~ "': the table of " ~ product.model ~ " was computed with another "
                ~ "definition than the project's now (its criteria, windows, contexts or candidates, the vars "
                ~ "org_key, intent_events, min_event_timestamp or the source's location, the events the models read, "
                ~ "or an upgrade of how the staging reads the source), and this run does not build it, so "
                ~ model.name ~ " would read stale rows. " ~ advice) }}
        {%- endif -%}
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
