{#-
    The incremental materialization of dbt-duckdb 1.11.1 (dbt/include/duckdb/macros/
    materializations/incremental.sql), taken over by the project for four changes. First, a
    model configured by period_incremental(chunked=true) is built by several statements, one
    per group of quarters (scope_chunks), instead of one. The first group is built as before
    (the table created, or appended); each further group is appended to the table in the
    same transaction. Every other model gets exactly one statement, its compiled SQL, as in
    dbt-duckdb. Second, an incremental build of a SQL model appends its rows to the table
    directly, by name: dbt-duckdb first copies them into a temporary table, which DuckDB
    holds in memory uncompressed (237 MB for eight quarters of int_view_benchmarks, most of
    the build's 300MB limit, held while the further groups are computed); here no temporary
    table is made, and the query's columns are checked against the table's by one statement
    (fail_unless_same_columns, for on_schema_change='fail'), where dbt-duckdb's check, on
    the temporary table, took two or three statements more: 0.2-0.45 s of the 27 incremental
    models of a build of six returns (dbt's timings, three runs each). Third, the table into
    which a Python model's incremental build writes its new rows is dropped when the build
    is done. Fourth, a full refresh of an existing table drops it and creates it again under
    its own name, in one transaction (drop_for_replacement, as the project's tables and views
    are replaced), where dbt-duckdb built it under a temporary name and swapped it in by two
    renames. Check this file against dbt-duckdb's when upgrading it.
-#}
{% materialization incremental, adapter="duckdb", supported_languages=['sql', 'python'] -%}

  {%- set language = model['language'] -%}
  -- relations
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}

  -- configs
  {%- set unique_key = config.get('unique_key') -%}
  {%- set full_refresh_mode = (should_full_refresh()  or existing_relation.is_view) -%}
  {%- set on_schema_change = incremental_validate_on_schema_change(config.get('on_schema_change'), default='ignore') -%}
  {%- set partitioned_by = none -%}
  {%- set sorted_by = none -%}
  {%- if existing_relation is none or full_refresh_mode -%}
    {%- set partitioned_by = duckdb__get_partitioned_by(target_relation, false) -%}
    {%- set sorted_by = duckdb__get_sorted_by(target_relation, false) -%}
  {%- endif -%}
  {%- set skip_auto_begin = (partitioned_by or sorted_by) and adapter.is_ducklake(target_relation) -%}

   -- grab current tables grants config for comparision later on
  {% set grant_config = config.get('grants') %}

  {% set to_drop = [] %}
   -- if not using a temporary table we will update the temp relation to use a different temp schema ("dbt_temp" by default)
   -- for microbatch with concurrent batches, include batch timestamps in the identifier to avoid collisions
  {%- set batch_id = adapter.batch_id_for_model(model) -%}
  {% set temporary_relation = duckdb__dispatch_temporary_relation(target_relation, batch_id) %}
  {% set temp_relation = temporary_relation.relation %}
  {% set temporary = temporary_relation.temporary %}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {#-- riia: the statements that build the model, one per group of quarters (scope_chunks) --#}
  {% set chunks = scope_chunks(compiled_code, existing_relation is none or full_refresh_mode) %}
  {% set first_chunk = chunks[0] %}

  {% if existing_relation is none or full_refresh_mode %}
    {#-- riia: a full refresh replaces the table under its own name in this transaction, as
         the project's tables and views are (replace_in_place.sql), not by dbt-duckdb's swap --#}
    {% if existing_relation is not none %}
      {% do drop_for_replacement(existing_relation) %}
    {% endif %}
    {% set build_sql = create_table_as(False, target_relation, first_chunk, language, partitioned_by=partitioned_by, sorted_by=sorted_by) %}
  {% else %}
    {#-- riia: a SQL model's rows are appended directly (see the top of this file) --#}
    {% set append_directly = language == 'sql' and config.get('incremental_strategy') == 'append'
                             and on_schema_change in ('fail', 'ignore') %}
    {% if append_directly %}
      {#-- riia: its columns checked against the table's by one statement, no temporary table --#}
      {% if config.get('contract').enforced %}
        {{ get_assert_columns_equivalent(first_chunk) }}
      {% endif %}
      {% if on_schema_change == 'fail' %}
        {% do fail_unless_same_columns(first_chunk, target_relation) %}
      {% endif %}
      {% set build_sql = append_by_name(target_relation, first_chunk) %}
    {% else %}
      {% if language == 'python' %}
        {% set build_python = create_table_as(temporary, temp_relation, compiled_code, language, partitioned_by=none, sorted_by=none) %}
        {% call statement("pre", language=language) %}
          {{- build_python }}
        {% endcall %}
      {% else %} {# SQL #}
        {% do run_query(create_table_as(temporary, temp_relation, first_chunk, language, partitioned_by=none, sorted_by=none)) %}
      {% endif %}
      {#- riia: dropped when the build is done, where it was made and is not a DuckDB temporary
          table. A Python model's is an ordinary table (dbt-duckdb's py_write_table ignores
          `temporary`), which dbt-duckdb leaves behind: one more in the warehouse's main schema
          at every incremental build. -#}
      {% if not temporary or language == 'python' %}
        {% do to_drop.append(temp_relation) %}
      {% endif %}
      {% do adapter.expand_target_column_types(
               from_relation=temp_relation,
               to_relation=target_relation) %}
      {#-- Process schema changes. Returns dict of changes if successful. Use source columns for upserting/merging --#}
      {% set dest_columns = process_schema_changes(on_schema_change, temp_relation, existing_relation) %}
      {% if not dest_columns %}
        {% set dest_columns = adapter.get_columns_in_relation(existing_relation) %}
      {% endif %}

      {#-- Get the incremental_strategy, the macro to use for the strategy, and build the sql --#}
      {% set incremental_strategy = config.get('incremental_strategy') or 'default' %}
      {% set incremental_predicates = config.get('predicates', none) or config.get('incremental_predicates', none) %}
      {% set strategy_sql_macro_func = adapter.get_incremental_strategy_macro(context, incremental_strategy) %}
      {% set strategy_arg_dict = ({'target_relation': target_relation, 'temp_relation': temp_relation, 'unique_key': unique_key, 'dest_columns': dest_columns, 'incremental_predicates': incremental_predicates }) %}
      {% set build_sql = strategy_sql_macro_func(strategy_arg_dict) %}
    {% endif %}
    {% set language = "sql" %}

  {% endif %}

  {% call statement("main", language=language, auto_begin=not skip_auto_begin) %}
      {{- build_sql }}
  {% endcall %}

  {#-- riia: each further group of quarters, appended by name --#}
  {% for chunk in chunks[1:] %}
    {% call statement("chunk_" ~ loop.index) %}
      {{- append_by_name(target_relation, chunk) }}
    {% endcall %}
  {% endfor %}

  {% set should_revoke = should_revoke(existing_relation, full_refresh_mode) %}
  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}

  {# Align order with table materialization to avoid MotherDuck alter conflicts #}
  {% if existing_relation is none or existing_relation.is_view or should_full_refresh() %}
    {% do create_indexes(target_relation) %}
  {% endif %}

  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}

  -- `COMMIT` happens here
  {% do adapter.commit() %}

  {% for rel in to_drop %}
      {# On MotherDuck the temp relation is a real table; dropping it cascades indexes. Avoid extra ALTERs. #}
      {% if not adapter.is_motherduck() %}
        {% do drop_indexes_on_relation(rel) %}
      {% endif %}
      {% do adapter.drop_relation(rel) %}
  {% endfor %}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}

{%- endmaterialization %}

{#- riia: how a group of quarters' rows are added to a table that holds others: by name -#}
{% macro append_by_name(relation, sql) -%}
  insert into {{ relation }} by name {{ sql }}
{%- endmacro %}

{#- riia: stop the build of `relation`'s model, as dbt's on_schema_change='fail' does, when the
    columns of its query `sql` (names and types, in any order) are not those of the table -#}
{% macro fail_unless_same_columns(sql, relation) -%}
  {%- set compared -%}
    with query_columns as (
        -- the query on lines of its own: a comment on its last line ends there
        select column_name, column_type from (describe (select * from (
            {{ sql }}
        )))
    ),

    table_columns as (
        select column_name, column_type from (describe {{ relation }})
    )

    select 'only the query' as side, column_name, column_type
    from (from query_columns except all from table_columns)
    union all
    select 'only the table' as side, column_name, column_type
    from (from table_columns except all from query_columns)
    order by side, column_name
  {%- endset -%}
  {%- set differing = run_query(compared) -%}
  {%- if differing.rows | length > 0 -%}
    {%- set listed = [] -%}
    {%- for row in differing.rows -%}
      {%- do listed.append(row[1] ~ ' ' ~ row[2] ~ ' (' ~ row[0] ~ ')') -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "The columns of " ~ model.name ~ "'s query are not those of its table " ~ relation ~ ": "
        ~ listed | join(', ') ~ ". A full refresh (riia build --full-refresh) rebuilds the table;"
        ~ " riia build does so by itself after a change of the code.") }}
  {%- endif -%}
{%- endmacro %}
