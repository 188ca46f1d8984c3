-- One row per LA and quarter received: the latest version's validation outcome.
--   quarantined            = the file could not be read, or an `error` finding
--   accepted_with_warnings = no error, at least one `warning` finding
--   accepted               = no finding at all
-- Only accepted returns (with or without warnings) reach the marts and shared outputs.
with returns as (
    select * from {{ ref('int_returns_latest_version') }}
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

final as (
    select
        returns.la_code,
        returns.period,
        returns.file_path,
        returns.source_file,
        returns.file_version,
        returns.versions_received,
        returns.data_line_count,
        coalesce(per_file.error_count, 0) as error_count,
        coalesce(per_file.warning_count, 0) as warning_count,
        per_file.error_rule_ids,
        per_file.warning_rule_ids,
        case
            when returns.file_status <> 'readable' or coalesce(per_file.error_count, 0) > 0 then 'quarantined'
            when coalesce(per_file.warning_count, 0) > 0 then 'accepted_with_warnings'
            else 'accepted'
        end as return_status
    from returns
    left join per_file on returns.file_path = per_file.file_path
)

select
    *,
    return_status <> 'quarantined' as is_accepted
from final
