{#-
    in_build_scope(column): returns a SQL condition for a period-incremental model: on an
    incremental run, that `column` (a period) is one of the quarters this build recomputes
    (int_build_scope), written out as a list of constants so that DuckDB pushes the filter
    down through views and joins to the scans; on a full build, `true`. Used with the
    pre-hook of `delete_build_scope()`, so that the model's rows of those quarters are
    replaced and the others kept: a quarterly build costs one quarter and its followers,
    whatever the history.
-#}
{% macro in_build_scope(column) -%}
    {%- if is_incremental() -%}
        {%- set periods = [] -%}
        {%- if execute -%}
            {%- set periods = run_query('select period from ' ~ ref('int_build_scope') ~ ' order by period').columns[0].values() -%}
        {%- endif -%}
        {%- if periods | length == 0 -%}
            false
        {%- else -%}
            {{ column }} in ({% for period in periods %}'{{ period }}'{{ ', ' if not loop.last }}{% endfor %})
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
