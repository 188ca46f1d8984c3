-- dim_period applies the DfE rule (every quarter of financial year YYYY-YY uses the
-- mid-YYYY population) and the financial-year quarter dates. Returns wrong rows.
with expected as (
    select * from (
        values
        ('2022-23 Q1', date '2022-04-01', date '2022-06-30', 2022, '2021-22 Q4', '2021-22 Q1'),
        ('2023-24 Q3', date '2023-10-01', date '2023-12-31', 2023, '2023-24 Q2', '2022-23 Q3'),
        ('2024-25 Q4', date '2025-01-01', date '2025-03-31', 2024, '2024-25 Q3', '2023-24 Q4')
    ) as t (  -- noqa: AL05
        period, period_start_date, period_end_date, population_mid_year, previous_period, same_period_last_year
    )
)

select expected.*
from expected
left join {{ ref('dim_period') }} as actual
    on
        expected.period = actual.period
        and expected.period_start_date = actual.period_start_date
        and expected.period_end_date = actual.period_end_date
        and expected.population_mid_year = actual.population_mid_year
        and expected.previous_period = actual.previous_period
        and expected.same_period_last_year = actual.same_period_last_year
where actual.period is null
