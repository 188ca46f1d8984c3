{#-
    build_date(): returns a DATE literal for the day the build counts as today: the dbt
    var `build_date` (YYYY-MM-DD) when given, else the environment variable
    RIIA_BUILD_DATE (how `riia build` gives it: a new day then changes no variable, so
    dbt's partial parse still holds), else the day this dbt run started. It
    decides which quarters have ended (rule T03) and which returns are overdue. Sharing
    decisions use as_of_date() instead, which defaults to it. Outside a dbt run
    (sqlfluff's fast jinja templater) it falls back to current_date.
-#}
{% macro build_date() -%}
    {%- set value = var('build_date', none) or env_var('RIIA_BUILD_DATE', '') -%}
    {%- if value is not none and value != '' -%}
        date '{{ value }}'
    {%- elif run_started_at is defined -%}
        date '{{ run_started_at.strftime("%Y-%m-%d") }}'
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}
