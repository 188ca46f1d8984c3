{#-
    unique_combination: fails with one row per combination of `columns`
    that occurs more than once. The primary-key test for compound grains.
    Usage:
        data_tests:
          - unique_combination:
              arguments:
                columns: [la_code, period]

    The rows are grouped by one 64-bit hash of the combination, not by the columns
    themselves: a hash table of one number per row fits DuckDB's memory limit on the
    largest view (8.5 million rows of seven text columns in the sample), where grouping by
    the columns, or by a 128-bit md5, runs out. Equal combinations always share a hash, so
    a duplicate is never missed; two different combinations sharing a hash (odds about
    1 in 500,000 at that size) would be reported, with their columns, and never hidden.
-#}
{% test unique_combination(model, columns) %}

select
    {% for column in columns -%}
    any_value({{ column }}) as {{ column }},
    {% endfor -%}
    count(*) as occurrences
from {{ model }}
group by hash(concat_ws(
    chr(31),
    {% for column in columns -%}
    coalesce(cast({{ column }} as varchar), chr(0)){{ ',' if not loop.last }}
    {% endfor -%}
))
having count(*) > 1

{% endtest %}
