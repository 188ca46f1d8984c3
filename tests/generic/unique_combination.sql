{#-
    unique_combination: the primary-key test for compound grains. Fails with one row per
    combination of `columns` that occurs more than once and, with `not_null`, per combination
    with no value in a column that must have one.
    Usage:
        data_tests:
          - unique_combination:
              arguments:
                columns: [la_code, period]
                not_null: true

    It looks for repeats in a sorted list of one 64-bit hash per row (a window, which
    DuckDB sorts out of core) rather than grouping by the columns: on the largest view
    (8.5 million rows of seven text columns in the sample) a hash table of the columns,
    or even of the hash, runs out of the build's memory limit, while the sort does not.
    Only rows whose hash repeats are then grouped by their columns, so a duplicate is
    never missed and two combinations that merely share a hash are never reported.

    not_null (optional): `true` (every column of the grain), or a list of those that must
    not be null. The grain is then tested whole, nulls and repeats, in one query, instead of
    by a not_null test of each key column besides: each data test is a node of dbt's own,
    and dbt spends some 20 ms around each before DuckDB does any work (README: Data tests).
    A key column that may be empty (a finding about a whole file has no line) is left out
    of the list.

    quarter_column (optional): for a period-incremental model (macro period_incremental)
    whose grain includes that quarter column. A build writes only the rows of the quarters
    it recomputes (int_build_scope); every other row is as the last build left it, when
    this test passed on it (a failure gates publication). So an incremental build tests the
    rows of those quarters, and of no quarter of the calendar, which every build writes
    again: since the quarter is part of the grain, a repeat can only be among rows of one
    quarter. A quarterly build's test then costs one quarter, not the years loaded: the
    largest (shr_regional__cross_regional, 3.5 million rows at 48 quarters) took 0.37 s at
    48 quarters and 0.11 s at 12 reading every row, 0.06 s and 0.04 s reading the quarters
    written. A full refresh, and a first build, whose scope is every quarter, test every row.
    test_project_shape.py checks that each model tested so is period-incremental by it.
-#}
{% test unique_combination(model, columns, quarter_column=none, not_null=false) %}
{%- set required = columns if not_null is sameas true else (not_null or []) -%}
{%- set null_key -%}
    ({% for column in required %}{{ column }} is null{{ ' or ' if not loop.last }}{% endfor %})
{%- endset %}
{#- the scope's tables, read (by in_build_scope) only when the test runs -#}
{%- set scope_inputs = [ref('int_build_scope'), ref('int_periods')] if quarter_column is not none else [] -%}
{%- set combination_hash -%}
    hash(concat_ws(
        chr(31),
        {% for column in columns -%}
        coalesce(cast({{ column }} as varchar), chr(0)){{ ',' if not loop.last }}
        {% endfor -%}
    ))
{%- endset %}

with rows_written as (
    select * from {{ model }}
    {%- if quarter_column is not none %}
    where {{ in_build_scope(quarter_column, off_calendar=true, scoped=not flags.FULL_REFRESH) }}
    {%- endif %}
),

hashed as (
    select {{ combination_hash }} as combination_hash
    from rows_written
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
from rows_written
where
    {{ combination_hash }} in (select combination_hash from repeated_hashes)
    {%- if required %}
    or {{ null_key }}
    {%- endif %}
group by {{ columns | join(', ') }}
having
    count(*) > 1
    {%- if required %}
    or {{ null_key }}
    {%- endif %}

{% endtest %}
