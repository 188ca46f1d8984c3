{#-
    unique_combination: fails with one row per combination of `columns`
    that occurs more than once. The primary-key test for compound grains.
    Usage:
        data_tests:
          - unique_combination:
              arguments:
                columns: [la_code, period]
-#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
