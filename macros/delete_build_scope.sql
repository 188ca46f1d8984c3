{#-
    delete_build_scope(period_column, off_calendar): returns the pre-hook SQL of a
    period-incremental model: on an incremental run, delete the model's rows of every
    quarter this build recomputes (int_build_scope), which the model then inserts again;
    nothing on a full build. Rows of a quarter that has no rows any more (its files removed)
    are deleted and not replaced. With off_calendar, also the rows of no quarter of the
    calendar (period_incremental), which every build computes again.
-#}
{% macro delete_build_scope(period_column='period', off_calendar=false) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ period_column }} in (select build_scope.period from {{ ref('int_build_scope') }} as build_scope)
        {%- if off_calendar %} or {{ off_calendar_condition(period_column) }}{% endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
