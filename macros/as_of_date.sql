{#-
    as_of_date(): returns a DATE literal for the build's as-of date: the dbt var
    `as_of_date` (YYYY-MM-DD) when given, else the day the run started. It decides
    which sharing agreements, LA exceptions and quarter releases are in force
    (SHARING.md rules 1-3); it never changes which returns are valid.
-#}
{% macro as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value is none or value == '' -%}
        {{ build_date() }}
    {%- else -%}
        date '{{ value }}'
    {%- endif -%}
{%- endmacro %}
