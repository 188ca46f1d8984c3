-- One row per financial-year quarter from 2012-13 Q1 to the quarter containing the day of
-- the build (the calendar of int_periods): what analysts join quarters to.
with periods as (
    select * from {{ ref('int_periods') }}
),

final as (
    select * from periods
)

select * from final
