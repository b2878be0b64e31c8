{#- The declared products and their definitions, from the product models'
    config (known once dbt has parsed every model): literals only, no table
    is read. It also records the vars product models read, as this package
    sees them, for product models of a project that uses it as a package
    (see setting()). -#}
-- the definition hashes cover the excluded organizations as loaded: after the seed
-- depends_on: {{ ref('excluded_organizations') }}
{{ config(meta={'activation_vars': activation.product_model_var_values()}) }}
{%- set products = activation.declared_products() %}

{%- if products %}
{%- for product in products %}
{%- set spec = product.spec %}

select
    {{ activation.string_literal(spec.product) }} as product,
    {{ activation.string_literal(product.model) }} as model_name,
    {{ spec.activation_window_days }} as activation_window_days,
    {{ spec.survival_window_months[0] }} as survival_window_start_months,
    {{ spec.survival_window_months[1] }} as survival_window_end_months,
    {{ activation.string_literal(tojson(spec.activation_criteria)) }} as activation_criteria,
    {{ activation.string_literal(tojson(spec.survival_criteria)) }} as survival_criteria,
    {%- if spec.intent_contexts is none %}
    cast(null as {{ dbt.type_string() }}) as intent_contexts,
    {%- else %}
    {{ activation.string_literal(tojson(spec.intent_contexts)) }} as intent_contexts,
    {%- endif %}
    {{ activation.string_literal(activation.product_definition(spec)) }} as definition,
    {{ activation.string_literal(activation.definition_hash(spec)) }} as definition_hash
{%- if not loop.last %}

union all
{%- endif %}
{%- endfor %}
{%- else %}

select
    cast(null as {{ dbt.type_string() }}) as product,
    cast(null as {{ dbt.type_string() }}) as model_name,
    cast(null as {{ dbt.type_int() }}) as activation_window_days,
    cast(null as {{ dbt.type_int() }}) as survival_window_start_months,
    cast(null as {{ dbt.type_int() }}) as survival_window_end_months,
    cast(null as {{ dbt.type_string() }}) as activation_criteria,
    cast(null as {{ dbt.type_string() }}) as survival_criteria,
    cast(null as {{ dbt.type_string() }}) as intent_contexts,
    cast(null as {{ dbt.type_string() }}) as definition,
    cast(null as {{ dbt.type_string() }}) as definition_hash
where 1 = 0
{%- endif %}
