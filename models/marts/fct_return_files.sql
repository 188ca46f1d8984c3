-- One row per return file received: who sent it, for which quarter, which version,
-- whether it could be read, and whether a later version supersedes it.
with files as (
    select * from {{ ref('int_return_files_versioned') }}
),

final as (
    select
        file_path,
        source_file,
        file_name_la_code as la_code,
        file_name_period as period,
        file_version,
        has_valid_file_name,
        is_latest_version,
        case
            when not is_latest_version and has_valid_file_name then latest_file_path
        end as superseded_by_file_path,
        has_duplicate_version,
        file_status,
        file_problem,
        file_encoding,
        file_has_bom,
        header_columns,
        file_bytes,
        file_sha256,
        file_modified_at,
        physical_line_count,
        data_line_count,
        blank_line_count,
        malformed_line_count
    from files
)

select * from final
