{#-
    period_incremental(chunked=false): configures the calling model as period-incremental,
    the one way the warehouse avoids recomputing history. The model filters its
    period-carrying input with `in_build_scope('period')`; before it runs, its rows of the
    quarters this build recomputes (int_build_scope) are deleted (`delete_build_scope`),
    and its query inserts them again. On a full refresh, or the first build, it is built
    whole. With chunked=true (the comparator and rank engine, whose memory grows with the
    quarters it computes at once) it is built a few quarters at a time instead
    (scope_chunks, in the incremental materialization of macros/materializations). Call it
    at the top of the model: {{ period_incremental() }}.
    period_column: the model's column that holds the quarter a row belongs to, by which its
    rows are deleted (default `period`). off_calendar=true: the model also has rows of no
    quarter of the calendar (int_periods) - the lines of a return file whose name gives no
    quarter, or a quarter before 2012-13 or after today - which are in no build's scope,
    so are deleted and computed again on every build (its in_build_scope conditions take
    the same argument); they are few, and the validation of every build reports them.
-#}
{% macro period_incremental(chunked=false, period_column='period', off_calendar=false) -%}
    {%- if chunked and off_calendar -%}
        {{ exceptions.raise_compiler_error(model.name ~ ': a chunked model cannot have off-calendar rows (each group would insert them again)') }}
    {%- endif -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_build_scope(" ~ period_column | tojson ~ ", " ~ off_calendar | tojson ~ ") }}",
        meta={'scope_chunked': chunked}
    ) }}
    {#- the dependencies of the scope (and of off-calendar rows), which in_build_scope and
        delete_build_scope read only on incremental runs -#}
    {%- set scope = ref('int_build_scope') -%}
    {%- if off_calendar -%}
        {%- set calendar = ref('int_periods') -%}
    {%- endif -%}
{%- endmacro %}
