{#-
    as_of_date(): returns a DATE literal for the build's as-of date: the dbt var
    `as_of_date` (YYYY-MM-DD) when given, else the day the run started. It decides
    which quarters exist yet (rule T03) and which sharing agreements are in force.
-#}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value is none or value == '' -%}
        date '{{ run_started_at.strftime("%Y-%m-%d") }}'
    {%- else -%}
        date '{{ value }}'
    {%- endif -%}
{%- endmacro %}
