{#-
    apply_memory_limit(): the on-run-start hook that sets DuckDB's memory limit for the run:
    RIIA_DUCKDB_MEMORY_LIMIT, else 300MB (README: Memory), and writes the limit in force to
    dbt's log. DuckDB spills to disk beyond it, so that a build's memory does not grow with
    the years of history loaded. Set here, not in profiles.yml: dbt parses the whole
    project again whenever a value of the profile changes, so every build at another limit
    than the last (a catch-up at a higher one, and the quarterly build after it) paid a
    whole parse (4 s). Read at run time only (`execute`), so that the parse never depends
    on it. The limit is DuckDB's, for the whole database, and holds for the run: the
    profile sets no memory_limit that dbt-duckdb would set again on each cursor it opens.
-#}
{% macro apply_memory_limit() %}
    {%- set default_limit = '300MB' -%}
    {%- if execute -%}
        {%- set limit = env_var('RIIA_DUCKDB_MEMORY_LIMIT', '') | trim or default_limit -%}
        {%- if not modules.re.fullmatch('[0-9]+(\\.[0-9]+)? ?[a-zA-Z]*', limit) -%}
            {{ exceptions.raise_compiler_error("RIIA_DUCKDB_MEMORY_LIMIT is '" ~ limit ~ "', not a size: give DuckDB's memory limit as, e.g., 400MB or 2GB") }}
        {%- endif -%}
        {%- do run_query("set memory_limit = '" ~ limit | replace("'", "''") ~ "'") -%}
        {%- set in_force = run_query("select current_setting('memory_limit')").columns[0].values()[0] -%}
        {%- do log("DuckDB memory limit: " ~ in_force ~ " (" ~ limit ~ ")", info=true) -%}
    {%- endif -%}
    select 1
{% endmacro %}
