-- For each region with a regional agreement in force: its returns tracker - one row per LA
-- of the region (in that quarter) and quarter from the first received to the latest ended,
-- with the return's state (accepted, accepted with warnings, quarantined, not received),
-- the version in use, the deadline and days overdue, and the quarter's release: what the
-- region's validation reports and returns tracker show. Published into each region's folder.
with recipients as (
    select * from {{ ref('int_sharing_recipients') }}
    where output_model = 'shr_regional__indicators'
),

tracker as (
    select * from {{ ref('int_returns_tracker') }}
),

releases as (
    select * from {{ ref('int_quarter_release_status') }}
),

final as (
    select
        recipients.recipient_id,
        tracker.region_code,
        tracker.la_code,
        tracker.la_name,
        tracker.period,
        tracker.deadline_date,
        tracker.tracker_status as return_status,
        tracker.file_path,
        tracker.source_file,
        tracker.file_version,
        tracker.versions_received,
        tracker.error_rule_ids,
        tracker.warning_rule_ids,
        tracker.is_overdue,
        tracker.days_overdue,
        releases.is_released,
        releases.released_on,
        releases.checked_by
    from tracker
    inner join recipients on tracker.region_code = recipients.region_code
    inner join releases
        on
            tracker.region_code = releases.region_code
            and tracker.period = releases.period
)

select * from final
