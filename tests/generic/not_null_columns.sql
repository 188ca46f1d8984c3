{#-
    not_null_columns: the columns of a model or seed that must have a value and that no
    key test checks for one, tested in one query: fails with one row per such column that
    has an empty value, with how many rows leave it empty.
    Usage:
        data_tests:
          - not_null_columns:
              arguments:
                columns: [indicator_name, multiplier, polarity]

    One node for the model instead of a not_null test of each column: each data test is a
    node of dbt's own, and dbt spends some 20 ms around each (and parses each) before
    DuckDB does any work (README: Data tests). The columns of a compound grain are tested
    by the key test (unique_combination's `not_null`), in the query that looks for
    repeats; a single-column key's `unique` test checks no null, so its column is listed
    here.
-#}
{% test not_null_columns(model, columns) %}

with empty_values as (
    select
        {% for column in columns -%}
        count(*) filter (where {{ adapter.quote(column) }} is null) as {{ adapter.quote(column) }}{{ ',' if not loop.last }}
        {% endfor %}
    from {{ model }}
)

select
    column_name,
    empty_rows
from empty_values
unpivot (empty_rows for column_name in ({% for column in columns %}{{ adapter.quote(column) }}{{ ', ' if not loop.last }}{% endfor %}))
where empty_rows > 0

{% endtest %}
