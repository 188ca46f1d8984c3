{#-
    build_date(): returns a DATE literal for the day this dbt run started. It decides
    which quarters exist yet (rule T03: a return for a later quarter is "in the
    future"). Sharing decisions use as_of_date() instead, which defaults to it.
-#}
{% macro build_date() -%}
    date '{{ run_started_at.strftime("%Y-%m-%d") }}'
{%- endmacro %}
