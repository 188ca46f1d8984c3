{#-
    build_date(): returns a DATE literal for the day this dbt run started. It decides
    which quarters exist yet (rule T03: a return for a later quarter is "in the
    future"). Sharing decisions use as_of_date() instead, which defaults to it.
    Outside a dbt run (sqlfluff's fast jinja templater) it falls back to current_date.
-#}
{% macro build_date() -%}
    {%- if run_started_at is defined -%}
        date '{{ run_started_at.strftime("%Y-%m-%d") }}'
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}
