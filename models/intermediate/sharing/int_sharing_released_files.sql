-- One row per region, quarter and LA whose return the region's latest release of the
-- quarter covers: exactly which file (path and SHA-256) was checked and released
-- (SHARING.md rule 4). Audiences outside the region receive this version until the
-- quarter is released again, whatever is resubmitted meanwhile; `is_still_received` says
-- whether that file is still in the returns folder unchanged (if not, nothing of the LA's
-- quarter reaches them, and their manifest says why).
with releases as (
    select * from {{ ref('int_quarter_release_status') }}
    where is_released
),

release_files as (
    select * from {{ ref('quarter_release_files') }}
),

files as (
    select * from {{ ref('int_return_files_versioned') }}
),

final as (
    select
        releases.region_code,
        releases.period,
        releases.release_id,
        releases.released_on,
        release_files.la_code,
        release_files.file_path,
        release_files.file_sha256,
        coalesce(files.file_status = 'readable', false) as is_still_received
    from releases
    inner join release_files on releases.release_id = release_files.release_id
    left join files
        on
            release_files.file_path = files.file_path
            and release_files.file_sha256 = files.file_sha256
)

select * from final
