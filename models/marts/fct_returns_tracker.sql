-- The returns tracker: one row per LA (of the quarter) and quarter from the first quarter
-- received to the latest that has ended, with the return's state (accepted, accepted with
-- warnings, quarantined, not received), its deadline and, past the deadline, days overdue
-- (the chase list). `riia status`, the build summary and the reports' index read it.
with tracker as (
    select * from {{ ref('int_returns_tracker') }}
),

final as (
    select * from tracker
)

select * from final
