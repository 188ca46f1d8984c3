-- round_half_up rounds halves up, as DfE publishes, including values that binary
-- floating point holds just below the half (12.35 is 12.3499999... as a double).
-- Returns the cases that come out wrong.
with cases as (
    select * from (
        values
        (cast(0.05 as double), 1, 0.1),
        (cast(0.15 as double), 1, 0.2),
        (cast(12.25 as double), 1, 12.3),
        (cast(12.35 as double), 1, 12.4),
        (cast(99.94999 as double), 1, 99.9),
        (cast(1.005 as double), 2, 1.01),
        (cast(2.5 as double), 0, 3.0),
        (cast(449.5 as double), 0, 450.0),
        (cast(0.0 as double), 1, 0.0)
    ) as t (input_value, decimal_places, expected)  -- noqa: AL05
),

rounded as (
    select
        input_value,
        decimal_places,
        expected,
        {{ round_half_up('input_value', 'decimal_places') }} as actual
    from cases
)

select * from rounded
where actual <> cast(expected as double)
