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
-#}
{% macro period_incremental(chunked=false) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_build_scope() }}",
        meta={'scope_chunked': chunked}
    ) }}
    {#- the dependency on the scope, which in_build_scope reads only on incremental runs -#}
    {%- set scope = ref('int_build_scope') -%}
{%- endmacro %}
