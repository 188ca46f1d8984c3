-- The readable return files whose name gives an LA and a real quarter, each with the
-- quarter before it and the file of the LA's previous quarter that the plausibility
-- rules compare it with: the latest version received for that quarter, whatever its
-- validation outcome.
with files as (
    select * from {{ ref('int_return_files_versioned') }}
    where file_status = 'readable' and has_valid_file_name
),

periods as (
    select * from {{ ref('int_periods') }}
),

final as (
    select
        files.file_path,
        files.file_name_la_code,
        files.file_name_period,
        files.is_latest_version,
        periods.previous_period,
        previous_files.file_path as previous_file_path
    from files
    inner join periods on files.file_name_period = periods.period
    left join files as previous_files
        on
            files.file_name_la_code = previous_files.file_name_la_code
            and periods.previous_period = previous_files.file_name_period
            and previous_files.is_latest_version
)

select * from final
