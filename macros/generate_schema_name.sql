{#-
    generate_schema_name: returns the folder's custom schema as written
    (`staging`, `marts`, `sharing`, `reference`, ...) instead of dbt's default
    `<target schema>_<custom schema>`, so analysts query `marts.fct_...`.
    Models without a custom schema land in the target schema (`main`).
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
