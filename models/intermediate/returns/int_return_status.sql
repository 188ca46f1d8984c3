-- One row per LA and quarter received: the version in use and its validation outcome
-- (rule S01 as amended: a later version supersedes the earlier - but a later version that
-- is quarantined does not take an earlier accepted one out of use: the earlier stays in
-- use, marked `has_quarantined_resubmission`, until a later version is accepted).
--   quarantined            = no version can be used: the latest could not be read, or has
--                            an `error` finding, and no earlier version was accepted
--   accepted_with_warnings = the version in use has no error, at least one `warning`
--   accepted               = the version in use has no finding at all
-- Only accepted returns (with or without warnings) reach the marts and shared outputs.
with files as (
    select * from {{ ref('int_return_files_versioned') }}
    where has_valid_file_name
),

findings as (
    select * from {{ ref('int_validation_findings') }}
),

per_file as (
    select
        file_path,
        cast(count(*) filter (where severity = 'error') as integer) as error_count,
        cast(count(*) filter (where severity = 'warning') as integer) as warning_count,
        string_agg(distinct rule_id, ', ' order by rule_id) filter (where severity = 'error') as error_rule_ids,
        string_agg(distinct rule_id, ', ' order by rule_id) filter (where severity = 'warning') as warning_rule_ids
    from findings
    group by file_path
),

outcomes as (
    select
        files.file_name_la_code as la_code,
        files.file_name_period as period,
        files.file_path,
        files.source_file,
        files.file_version,
        files.data_line_count,
        coalesce(per_file.error_count, 0) as error_count,
        coalesce(per_file.warning_count, 0) as warning_count,
        per_file.error_rule_ids,
        per_file.warning_rule_ids,
        files.file_status = 'readable' and coalesce(per_file.error_count, 0) = 0 as is_usable
    from files
    left join per_file on files.file_path = per_file.file_path
),

ranked as (
    select
        *,
        row_number() over (partition by la_code, period order by file_version desc, file_path desc) as recency,
        row_number() over (
            partition by la_code, period order by is_usable desc, file_version desc, file_path desc
        ) as preference,
        cast(count(*) over (partition by la_code, period) as integer) as versions_received
    from outcomes
),

latest as (
    select * from ranked
    where recency = 1
),

final as (
    select
        in_use.la_code,
        in_use.period,
        in_use.file_path,
        in_use.source_file,
        in_use.file_version,
        in_use.versions_received,
        in_use.data_line_count,
        in_use.error_count,
        in_use.warning_count,
        in_use.error_rule_ids,
        in_use.warning_rule_ids,
        case
            when not in_use.is_usable then 'quarantined'
            when in_use.warning_count > 0 then 'accepted_with_warnings'
            else 'accepted'
        end as return_status,
        in_use.is_usable as is_accepted,
        latest.file_path as latest_file_path,
        latest.source_file as latest_source_file,
        in_use.file_path <> latest.file_path as has_quarantined_resubmission,
        latest.error_rule_ids as latest_error_rule_ids
    from ranked as in_use
    inner join latest
        on
            in_use.la_code = latest.la_code
            and in_use.period = latest.period
    where in_use.preference = 1
)

select * from final
