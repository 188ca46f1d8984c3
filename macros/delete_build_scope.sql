{#-
    delete_build_scope(): returns the pre-hook SQL of a period-incremental model: on an
    incremental run, delete the model's rows of every quarter this build recomputes
    (int_build_scope), which the model then inserts again; nothing on a full build. Rows of
    a quarter that has no rows any more (its files removed) are deleted and not replaced.
-#}
{% macro delete_build_scope() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where period in (select build_scope.period from {{ ref('int_build_scope') }} as build_scope)
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
