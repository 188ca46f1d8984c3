{#-
    unique_combination: fails with one row per combination of `columns`
    that occurs more than once. The primary-key test for compound grains.
    Usage:
        data_tests:
          - unique_combination:
              arguments:
                columns: [la_code, period]

    It looks for repeats in a sorted list of one 64-bit hash per row (a window, which
    DuckDB sorts out of core) rather than grouping by the columns: on the largest view
    (8.5 million rows of seven text columns in the sample) a hash table of the columns,
    or even of the hash, runs out of the build's memory limit, while the sort does not.
    Only rows whose hash repeats are then grouped by their columns, so a duplicate is
    never missed and two combinations that merely share a hash are never reported.
-#}
{% test unique_combination(model, columns) %}
{%- set combination_hash -%}
    hash(concat_ws(
        chr(31),
        {% for column in columns -%}
        coalesce(cast({{ column }} as varchar), chr(0)){{ ',' if not loop.last }}
        {% endfor -%}
    ))
{%- endset %}

with hashed as (
    select {{ combination_hash }} as combination_hash
    from {{ model }}
),

sorted as (
    select
        combination_hash,
        lag(combination_hash) over (order by combination_hash) as previous_hash
    from hashed
),

repeated_hashes as (
    select distinct combination_hash
    from sorted
    where combination_hash = previous_hash
)

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
where {{ combination_hash }} in (select combination_hash from repeated_hashes)
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
