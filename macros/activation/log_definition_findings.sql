{#- on-run-end: when test product_definitions_match_the_events warns (or
    fails, when a project makes it an error), logs one line per row it
    found, naming the product, the kind and the value: dbt's own line only
    counts them ("Got 2 results, configured to warn if != 0"). The rows
    come from running the test's query again; it reads only what the
    definitions name, so this stays cheap. Renders to nothing. -#}
{% macro log_definition_findings(results) %}
    {%- if execute -%}
        {%- for result in results
            if result.node.name == 'product_definitions_match_the_events' and result.status in ['warn', 'fail'] -%}
            {%- set findings = run_query(result.node.compiled_code) -%}
            {%- for row in findings.rows -%}
                {%- do log(result.node.name ~ ": product '" ~ row['product'] ~ "', " ~ row['kind'] ~ " '"
                    ~ row['named_value'] ~ "': " ~ row['reason'], info=true) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
