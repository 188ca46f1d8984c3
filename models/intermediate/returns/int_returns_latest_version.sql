-- One row per LA and quarter for which a return file was received: the latest
-- version (rule S01), what it is, and how many versions came before it. LA and
-- quarter are those the file name declares; rules T02 and T03 check the rows agree.
with files as (
    select * from {{ ref('int_return_files_versioned') }}
    where has_valid_file_name
),

versions as (
    select
        file_name_la_code,
        file_name_period,
        cast(count(*) as integer) as versions_received
    from files
    group by file_name_la_code, file_name_period
),

final as (
    select
        files.file_name_la_code as la_code,
        files.file_name_period as period,
        files.file_path,
        files.source_file,
        files.file_version,
        versions.versions_received,
        files.file_status,
        files.file_problem,
        files.data_line_count
    from files
    inner join versions
        on
            files.file_name_la_code = versions.file_name_la_code
            and files.file_name_period = versions.file_name_period
    where files.is_latest_version
)

select * from final
