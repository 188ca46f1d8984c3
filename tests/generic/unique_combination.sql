{#-
    unique_combination: fails with one row per combination of `columns`
    that occurs more than once. The primary-key test for compound grains.
    Usage:
        data_tests:
          - unique_combination:
              arguments:
                columns: [la_code, period]

    The rows are grouped by one 128-bit hash of the combination (md5_number), not by the
    columns themselves: a hash table of one number per row fits DuckDB's memory limit on
    the largest views (millions of rows of seven text columns) where grouping by the
    columns runs out. Equal combinations always share a hash, so a duplicate is never
    missed; the columns of each duplicate are shown with it.
-#}
{% test unique_combination(model, columns) %}

select
    {% for column in columns -%}
    any_value({{ column }}) as {{ column }},
    {% endfor -%}
    count(*) as occurrences
from {{ model }}
group by md5_number(concat_ws(
    chr(31),
    {% for column in columns -%}
    coalesce(cast({{ column }} as varchar), chr(0)){{ ',' if not loop.last }}
    {% endfor -%}
))
having count(*) > 1

{% endtest %}
