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
    off_calendar=true (a model configured with period_incremental(off_calendar=true)): on
    an incremental run, also the rows whose `column` is no quarter of the calendar
    (off_calendar_condition), which every build computes again.
    scoped: whether the run is incremental, for a caller that is not the model itself (the
    generic test unique_combination, which tests the rows a build wrote); by default
    is_incremental(). The caller refs int_build_scope and int_periods itself.
-#}
{% macro in_build_scope(column, off_calendar=false, scoped=none) -%}
    {%- set scoped = is_incremental() if scoped is none else scoped -%}
    {%- if scoped -%}
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
    {%- if off_calendar and scoped -%}
        ((/*riia-scope:{{ column }}*/ {{ condition }}) or {{ off_calendar_condition(column) }})
    {%- else -%}
        (/*riia-scope:{{ column }}*/ {{ condition }})
    {%- endif -%}
{%- endmacro %}

{#- off_calendar_condition(column): that `column` (a period) is empty or no quarter of the
    calendar (int_periods): a return file's lines whose name gives no quarter, or one
    before 2012-13 or after today (rule T03), in no build's scope. -#}
{% macro off_calendar_condition(column) -%}
    ({{ column }} is null or {{ column }} not in (select calendar.period from {{ ref('int_periods') }} as calendar))
{%- endmacro %}

{#- scope_condition(column, periods): `column in ('2024-25 Q1', ...)`. -#}
{% macro scope_condition(column, periods) -%}
    {{ column }} in ({% for period in periods %}'{{ period }}'{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}
