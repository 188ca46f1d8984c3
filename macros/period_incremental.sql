{#-
    period_incremental(): configures the calling model as period-incremental, the one way
    the warehouse avoids recomputing history. The model filters its period-carrying input
    with `in_build_scope('period')`; before it runs, its rows of the quarters this build
    recomputes (int_build_scope) are deleted (`delete_build_scope`), and its query inserts
    them again. On a full refresh, or the first build, it is built whole. Call it at the top
    of the model: {{ period_incremental() }}.
-#}
{% macro period_incremental() -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_build_scope() }}"
    ) }}
    {#- the dependency on the scope, which in_build_scope reads only on incremental runs -#}
    {%- set scope = ref('int_build_scope') -%}
{%- endmacro %}
