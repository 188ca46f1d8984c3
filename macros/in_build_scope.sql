{#-
    in_build_scope(column): returns a SQL condition for a period-incremental model: on an
    incremental run, that `column` (a period) is one of the quarters this build recomputes
    (int_build_scope), written out as a list of constants so that DuckDB pushes the filter
    down through views and joins to the scans; on a full build, `true`. Used with the
    pre-hook of `delete_build_scope()`, so that the model's rows of those quarters are
    replaced and the others kept: a quarterly build costs one quarter and its followers,
    whatever the history.
    The condition is wrapped in a marked pair of brackets, `(/*riia-scope:<column>*/ ...)`,
    by which a model that recomputes its quarters a few at a time (period_incremental(
    chunked=true)) has the condition replaced by each group's list (scope_chunks); anywhere
    else the marker is a comment.
-#}
{% macro in_build_scope(column) -%}
    {%- if is_incremental() -%}
        {%- set periods = [] -%}
        {%- if execute -%}
            {%- set periods = run_query('select period from ' ~ ref('int_build_scope') ~ ' order by period').columns[0].values() -%}
        {%- endif -%}
        {%- if periods | length == 0 -%}
            {%- set condition = 'false' -%}
        {%- else -%}
            {%- set condition = scope_condition(column, periods) -%}
        {%- endif -%}
    {%- else -%}
        {%- set condition = 'true' -%}
    {%- endif -%}
    (/*riia-scope:{{ column }}*/ {{ condition }})
{%- endmacro %}

{#- scope_condition(column, periods): `column in ('2024-25 Q1', ...)`. -#}
{% macro scope_condition(column, periods) -%}
    {{ column }} in ({% for period in periods %}'{{ period }}'{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}
