-- The quarters this build recomputes in the period-incremental models (the accepted return
-- values, the indicator values, the gate, the comparator and rank engine, the shared
-- outputs): every quarter whose inputs changed since the last build (int_period_inputs: new,
-- changed or removed files, a quarter that lost every file, a region's release of the
-- quarter; or a change to the reference data or the sharing decisions in force, which
-- changes every quarter), and the seven
-- quarters after each: a quarter's 12-month measures read the three quarters before it, and
-- its changes on last quarter and last year read the quarter before and the 12-month
-- measures of the same quarter a year earlier, which read the three before that (a quarter's
-- figures reach seven quarters on; a new quarter has no followers, so it costs one quarter).
-- A change of the code is a full refresh (`riia build` runs one), in which every quarter is
-- rebuilt. A quarterly build is one quarter and its followers, whatever the history: its
-- cost does not grow with the years loaded.
{{ config(materialized='table') }}

with inputs as (
    select * from {{ ref('int_period_inputs') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

changed as (
    select period from inputs
    where committed_inputs_fingerprint is distinct from inputs_fingerprint
),

final as (
    select distinct periods.period
    from changed
    inner join periods as changed_period on changed.period = changed_period.period
    inner join periods
        on periods.period_index between changed_period.period_index and changed_period.period_index + 7
)

select * from final
