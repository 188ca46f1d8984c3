-- The quarter calendar, the SQL side of the one period grammar (riia.periods in Python):
-- one row per financial-year quarter from 2012-13 Q1 to the quarter containing the day
-- of the build, with its dates, its neighbours in time, whether it has ended, and the ONS
-- mid-year whose population its rates use (DfE rule: every quarter of financial year
-- YYYY-YY uses the mid-YYYY estimate, i.e. the year ending 31 March N uses mid-(N-1)).
-- dim_period publishes it; intermediate models read it here.
with years as (
    select unnest(generate_series(2012, year({{ build_date() }}))) as fy_start_year
),

quarters as (
    select unnest([1, 2, 3, 4]) as quarter_number
),

spine as (
    select
        years.fy_start_year,
        quarters.quarter_number,
        cast(
            make_date(years.fy_start_year, 4, 1) + to_months(3 * (quarters.quarter_number - 1)) as date
        ) as period_start_date
    from years
    cross join quarters
),

labelled as (
    select
        fy_start_year,
        quarter_number,
        period_start_date,
        cast(period_start_date + interval 3 month - interval 1 day as date) as period_end_date,
        cast(fy_start_year as varchar) || '-' || right(cast(fy_start_year + 1 as varchar), 2) as financial_year,
        'Q' || cast(quarter_number as varchar) as quarter_label,
        fy_start_year * 4 + quarter_number - 1 as period_index
    from spine
    where period_start_date <= {{ build_date() }}
),

final as (
    select
        financial_year || ' ' || quarter_label as period,
        financial_year,
        cast(fy_start_year as integer) as financial_year_start,
        cast(quarter_number as integer) as quarter_number,
        quarter_label,
        period_start_date,
        period_end_date,
        cast(fy_start_year as integer) as population_mid_year,
        cast(period_index as integer) as period_index,
        lag(financial_year || ' ' || quarter_label) over (order by period_index) as previous_period,
        lag(financial_year || ' ' || quarter_label, 4) over (order by period_index) as same_period_last_year,
        period_end_date >= {{ build_date() }} as is_in_progress,
        period_end_date < {{ build_date() }} as has_ended
    from labelled
)

select * from final
