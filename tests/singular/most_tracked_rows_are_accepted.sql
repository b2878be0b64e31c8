{#- Fails the build, naming the leading rejection reason, its count and the
    fix, when more than var max_rejected_share of the tracked source rows
    are rejected (copies of an event not counted): a source read wrongly
    (var org_key, the wrong files) would otherwise build a green, empty
    mart. The message is raised when the test runs, so that it is in the
    build's log; the query below is the same check, for dbt test's record. -#}
{%- if execute and flags.WHICH in ['build', 'test', 'retry'] %}
    {%- set problem = activation.rejected_share_problem() %}
    {%- if problem %}
        {{ exceptions.raise_compiler_error(problem) }}
    {%- endif %}
{%- endif %}

{{ activation.rejected_share_check() }}
