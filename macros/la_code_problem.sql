{#-
    la_code_problem(la_code, period, local_authorities): returns a SQL expression: NULL when
    `la_code` is the code of an LA that existed in `period` (rule T02: a return is valid from
    an LA code of its own quarter, so history loads under the codes of the day), else why
    not, as the end of a sentence for an LA data officer ("is the code of Northamptonshire,
    which did not exist in 2021-22 Q1: replaced in April 2021 by North Northamptonshire (940)
    and West Northamptonshire (941)"). `local_authorities` is the alias of a left join to
    ref_local_authorities on the code; periods compare as text, which sorts them in time.
-#}
{% macro la_code_problem(la_code, period, local_authorities) -%}
    case
        when {{ la_code }} is null or {{ la_code }} = '' then null
        when {{ local_authorities }}.la_code is null then 'is not the code of an English local authority'
        when
            {{ period }} is not null
            and (
                {{ period }} < {{ local_authorities }}.first_period
                or {{ period }} > {{ local_authorities }}.last_period
            )
            then
                'is the code of ' || {{ local_authorities }}.la_name || ', which did not exist in ' || {{ period }}
                || coalesce(
                    ': ' || lower({{ local_authorities }}.reorganisation_note[1])
                    || rtrim({{ local_authorities }}.reorganisation_note[2:], '.'),
                    ''
                )
    end
{%- endmacro %}
