-- One row per return file received, with its line counts and whether it is the
-- latest version of its LA and quarter (rule S01: a later version supersedes an
-- earlier one; the earlier stays queryable).
with lines as (
    select * from {{ ref('stg_la_returns__lines') }}
),

files as (
    select
        file_path,
        any_value(source_file) as source_file,
        any_value(file_bytes) as file_bytes,
        any_value(file_sha256) as file_sha256,
        any_value(file_modified_at) as file_modified_at,
        any_value(file_name_la_code) as file_name_la_code,
        any_value(file_name_period) as file_name_period,
        any_value(folder_la_code) as folder_la_code,
        cast(any_value(file_version) as integer) as file_version,
        any_value(file_encoding) as file_encoding,
        any_value(file_has_bom) as file_has_bom,
        any_value(file_status) as file_status,
        any_value(file_problem) as file_problem,
        any_value(header_columns) as header_columns,
        cast(count(line_number) as integer) as physical_line_count,
        cast(count(*) filter (where line_kind = 'header') as integer) as header_line_count,
        cast(count(*) filter (where line_kind = 'data') as integer) as data_line_count,
        cast(count(*) filter (where line_kind = 'blank') as integer) as blank_line_count,
        cast(count(*) filter (where line_kind = 'malformed') as integer) as malformed_line_count
    from lines
    group by file_path
),

ranked as (
    select
        *,
        file_name_la_code is not null as has_valid_file_name,
        case
            when file_name_la_code is not null then row_number() over (
                    partition by file_name_la_code, file_name_period
                    order by file_version desc, file_path desc
                )
        end as version_rank,
        case
            when file_name_la_code is not null then count(*) over (
                    partition by file_name_la_code, file_name_period, file_version
                )
        end as files_with_same_version
    from files
),

final as (
    select
        file_path,
        source_file,
        file_name_la_code,
        file_name_period,
        file_version,
        folder_la_code,
        has_valid_file_name,
        coalesce(version_rank = 1, false) as is_latest_version,
        first_value(case when version_rank = 1 then file_path end) over (
            partition by file_name_la_code, file_name_period
            order by version_rank
        ) as latest_file_path,
        coalesce(files_with_same_version > 1, false) as has_duplicate_version,
        file_status,
        file_problem,
        file_encoding,
        file_has_bom,
        header_columns,
        file_bytes,
        file_sha256,
        file_modified_at,
        physical_line_count,
        header_line_count,
        data_line_count,
        blank_line_count,
        malformed_line_count
    from ranked
)

select * from final
