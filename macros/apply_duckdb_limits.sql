{#-
    apply_duckdb_limits(): the on-run-start hook that sets DuckDB's limits for the run, and
    writes those in force to dbt's log:
    * its memory: RIIA_DUCKDB_MEMORY_LIMIT, else 300MB (README: Memory). DuckDB spills to
      disk beyond it, so that a build's memory does not grow with the years of history loaded;
    * its threads: RIIA_DUCKDB_THREADS, else DuckDB's own (one per core). For a machine
      shared with other work: the tests' builds, one per pytest worker, share the cores
      among them (tests/python/conftest.py), as the report workers do (riia.workers).
    A value that is not a size, or not a whole number of threads, stops the run naming the
    setting. Set here, not in profiles.yml: dbt parses the whole project again whenever a
    value of the profile changes, so every build at another limit than the last (a catch-up
    at a higher one, and the quarterly build after it) paid a whole parse (4 s). Read at run
    time only (`execute`), so that the parse never depends on them. The limits are DuckDB's,
    for the whole database, and hold for the run: the profile sets neither, since dbt-duckdb
    sets the profile's settings again on each cursor it opens.
-#}
{% macro apply_duckdb_limits() %}
    {%- set default_limit = '300MB' -%}
    {%- if execute -%}
        {%- set limit = env_var('RIIA_DUCKDB_MEMORY_LIMIT', '') | trim or default_limit -%}
        {%- if not modules.re.fullmatch('[0-9]+(\\.[0-9]+)? ?[a-zA-Z]*', limit) -%}
            {{ exceptions.raise_compiler_error("RIIA_DUCKDB_MEMORY_LIMIT is '" ~ limit ~ "', not a size: give DuckDB's memory limit as, e.g., 400MB or 2GB") }}
        {%- endif -%}
        {%- set threads = env_var('RIIA_DUCKDB_THREADS', '') | trim -%}
        {%- if threads and not modules.re.fullmatch('[1-9][0-9]*', threads) -%}
            {{ exceptions.raise_compiler_error("RIIA_DUCKDB_THREADS is '" ~ threads ~ "', not a whole number of threads: give, e.g., 2, or leave it unset for one per core") }}
        {%- endif -%}
        {%- do run_query("set memory_limit = '" ~ limit | replace("'", "''") ~ "'") -%}
        {%- if threads -%}
            {%- do run_query("set threads = " ~ threads) -%}
        {%- endif -%}
        {%- set in_force = run_query("select current_setting('memory_limit'), current_setting('threads')").rows[0] -%}
        {%- do log("DuckDB memory limit: " ~ in_force[0] ~ " (" ~ limit ~ ")", info=true) -%}
        {%- do log("DuckDB threads: " ~ in_force[1] ~ (" (RIIA_DUCKDB_THREADS)" if threads else " (one per core)"), info=true) -%}
    {%- endif -%}
    select 1
{% endmacro %}
