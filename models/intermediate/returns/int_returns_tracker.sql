-- The returns tracker (REPORTS.md "For the data lead each quarter"): one row per LA that
-- existed in the quarter and quarter, from the first quarter any return was received for
-- to the latest quarter that has ended by the day of the build (quarters after the last
-- return received are listed, not skipped): the return's state - accepted, accepted with
-- warnings, quarantined, or not received - the deadline (the quarter's end plus
-- `return_deadline_days`, default 42: six weeks), and, for a return not received by the
-- deadline, how many days overdue it is (the chase list).
with periods as (
    select * from {{ ref('int_periods') }}
    where has_ended
),

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

returns as (
    select * from {{ ref('int_return_status') }}
),

collection_start as (
    select min(period) as first_period
    from returns
),

expected as (
    select
        local_authorities.la_code,
        local_authorities.la_name,
        local_authorities.region_code,
        periods.period,
        periods.period_end_date,
        cast(periods.period_end_date + to_days({{ var('return_deadline_days', 42) }}) as date) as deadline_date
    from periods
    cross join collection_start
    inner join local_authorities
        on
            periods.period >= local_authorities.first_period
            and (local_authorities.last_period is null or periods.period <= local_authorities.last_period)
    where periods.period >= collection_start.first_period
),

final as (
    select
        expected.la_code,
        expected.la_name,
        expected.region_code,
        expected.period,
        expected.period_end_date,
        expected.deadline_date,
        coalesce(returns.return_status, 'not_received') as tracker_status,
        returns.file_path,
        returns.source_file,
        returns.file_version,
        returns.versions_received,
        returns.error_rule_ids,
        returns.warning_rule_ids,
        returns.return_status is null and {{ build_date() }} > expected.deadline_date as is_overdue,
        case
            when returns.return_status is null and {{ build_date() }} > expected.deadline_date
                then cast({{ build_date() }} - expected.deadline_date as integer)
        end as days_overdue
    from expected
    left join returns
        on
            expected.la_code = returns.la_code
            and expected.period = returns.period
)

select * from final
