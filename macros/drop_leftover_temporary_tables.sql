{#-
    drop_leftover_temporary_tables(): the on-run-start hook that drops the tables named
    `<model>__dbt_tmp<time>` which incremental builds of Python models left in the
    warehouse before the project's incremental materialization dropped them (one per model
    and build). No build is running then, so no such table is in use.
-#}
{% macro drop_leftover_temporary_tables() %}
    {%- if execute -%}
        {%- set leftovers = run_query(
            "select schema_name, table_name from duckdb_tables() "
            ~ "where database_name = current_database() and not temporary "
            ~ "and table_name like '%\\_\\_dbt\\_tmp%' escape '\\'"
        ) -%}
        {%- for leftover in leftovers.rows -%}
            {%- do run_query("drop table if exists " ~ adapter.quote(leftover[0]) ~ "." ~ adapter.quote(leftover[1])) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{% endmacro %}
