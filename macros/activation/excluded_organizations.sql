{#- How staging_vars records the seed excluded_organizations: the MD5 of
    its sorted keys as the staging read them, or nothing when it lists none
    (the record of a warehouse built before the seed existed). A change of
    the seed so reaches everything a change of var org_key does: the
    staging reads the source again and every product model computes every
    organization again.

    The seed's table is read, not its file: `dbt run` does not load seeds,
    and the staging excludes what the table holds. It is read where the
    source is inspected (source_is_inspected), and found through the graph
    (built_relation), so that no model other than the staging depends on it;
    before the seed is loaded there is nothing to record. -#}
{% macro excluded_organizations_record() %}
    {%- if not activation.source_is_inspected() -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set relation = activation.built_relation('excluded_organizations') -%}
    {%- if relation is none -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set keys = run_query('select distinct org_id from ' ~ relation ~ ' where org_id is not null').rows
        | map('first') | map('string') | sort(case_sensitive=true) | list -%}
    {{ return({'excluded_organizations': local_md5(tojson(keys))} if keys else {}) }}
{% endmacro %}


{#- The seed excluded_organizations as the staging reads it, or none while
    it is not loaded (`dbt run` loads no seeds): nothing is excluded then,
    and nothing recorded (excluded_organizations_record), so the build that
    loads it reads the source again. -#}
{% macro excluded_organizations_relation() %}
    {%- set relation = ref('excluded_organizations') -%}
    {%- if not execute or model.resource_type == 'unit_test' or load_relation(relation) is not none -%}
        {{ return(relation) }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}
