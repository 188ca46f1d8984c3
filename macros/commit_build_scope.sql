{#-
    commit_build_scope(results): the on-run-end hook of the period-incremental models.
    When this run built int_period_inputs and every period-incremental model successfully,
    record the fingerprints it built from (`int_period_inputs_committed`), against which
    the next build decides which quarters to recompute (int_period_inputs). A run that
    failed, or built only some of those models (`dbt build -s ...`), commits nothing, so
    the next build recomputes what this one did not finish.
-#}
{% macro commit_build_scope(results) %}
    {%- if execute -%}
        {%- set succeeded = [] -%}
        {%- for result in results if result.status == 'success' -%}
            {%- do succeeded.append(result.node.unique_id) -%}
        {%- endfor -%}
        {%- set required = ['model.' ~ project_name ~ '.int_period_inputs'] -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.config.materialized == 'incremental' -%}
            {%- do required.append(node.unique_id) -%}
        {%- endfor -%}
        {%- set missing = required | reject('in', succeeded) | list -%}
        {%- if missing | length == 0 -%}
            {%- set node = graph.nodes['model.' ~ project_name ~ '.int_period_inputs'] -%}
            {%- set inputs = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) -%}
            create or replace table {{ inputs.incorporate(path={'identifier': 'int_period_inputs_committed'}) }} as
            select period, inputs_fingerprint from {{ inputs }} where inputs_fingerprint is not null
        {%- else -%}
            select 1
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
