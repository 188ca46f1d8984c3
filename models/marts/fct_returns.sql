-- One row per LA and quarter for which a return was received: the version in use,
-- how many versions came in, and its validation outcome (accepted, accepted with
-- warnings, quarantined) with the rules behind it.
with return_status as (
    select * from {{ ref('int_return_status') }}
),

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

final as (
    select
        return_status.la_code,
        return_status.period,
        local_authorities.la_name,
        local_authorities.region_code,
        local_authorities.region_name,
        return_status.file_path,
        return_status.source_file,
        return_status.file_version,
        return_status.versions_received,
        return_status.data_line_count,
        return_status.return_status,
        return_status.is_accepted,
        return_status.error_count,
        return_status.warning_count,
        return_status.error_rule_ids,
        return_status.warning_rule_ids,
        return_status.has_quarantined_resubmission,
        return_status.latest_source_file,
        return_status.latest_error_rule_ids
    from return_status
    left join local_authorities on return_status.la_code = local_authorities.la_code
)

select * from final
