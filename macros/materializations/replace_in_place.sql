{#-
    The table and view materializations of the project's SQL models: the relation is
    replaced under its own name, in one transaction - the existing table or view dropped,
    the new one created - instead of dbt's swap (create `<name>__dbt_tmp`, rename the
    existing one to `<name>__dbt_backup`, rename the new one into place, commit, drop the
    backup), which also looks for foreign keys and indexes the project does not have. A
    failed statement rolls the transaction back, so the existing relation stays as it was,
    as with the swap; and `riia build` writes into its own copy of the warehouse in any
    case. The swap took four statements more a table and two a view, and dbt's events for
    each: on a build of six returns, dbt timed its 44 tables and views at 2.0-2.3 s, and
    1.6-1.8 s replaced in place (three runs each). This one builds SQL models only:
    dbt-duckdb's builds Python ones too, but none of the project's is a table (both are
    incremental). Compare with dbt-duckdb's (materializations/table.sql) and dbt's
    (models/view.sql) when upgrading them.
-#}
{% materialization table, adapter="duckdb" %}
  {{ return(replace_in_place('table')) }}
{% endmaterialization %}

{% materialization view, adapter="duckdb" %}
  {{ return(replace_in_place('view')) }}
{% endmaterialization %}

{#- replace_in_place(relation_type): build the calling model as a `table` or `view` under
    its own name, the existing relation (of either type) dropped in the same transaction -#}
{% macro replace_in_place(relation_type) %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type=relation_type) -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% if existing_relation is not none %}
    {% do drop_for_replacement(existing_relation) %}
  {% endif %}
  {% call statement('main') -%}
    {% if relation_type == 'table' %}
      {{- create_table_as(False, target_relation, compiled_code) }}
    {% else %}
      {{- get_create_view_as_sql(target_relation, compiled_code) }}
    {% endif %}
  {%- endcall %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  -- `COMMIT` happens here
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmacro %}

{#- drop_for_replacement(relation): drop the relation a model is about to replace, inside the
    model's transaction (begun here if it is not yet), so that a failure to make the new one
    rolls the drop back. The project's tables have no foreign keys, for which dbt-duckdb's
    drop_relation_for_rebuild would look (one statement more a model). -#}
{% macro drop_for_replacement(relation) %}
  {% do adapter.ensure_transaction() %}
  {% do adapter.drop_relation(relation) %}
{% endmacro %}
