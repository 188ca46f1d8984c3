-- Validation input `return_files` (rules T01-T03 on whole files): one row per return
-- file received (every version), with the LA and quarter its findings are filed under
-- (the file name's, else the first data line's), whether the file name's LA existed in
-- its quarter and, in the per_la layout, is the LA whose folder the file is in
-- (`la_code_problem`, rule T02) and, when another file with different
-- contents claims the same LA, quarter and version (the same name in two folders), the
-- other file(s) and the version a correction should take.
with files as (
    select * from {{ ref('int_return_files_versioned') }}
),

typed_values as (
    select * from {{ ref('int_return_values_typed') }}
),

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

first_data_lines as (
    select
        file_path,
        arg_min(la_code, line_number) as la_code,
        arg_min(period, line_number) as period
    from typed_values
    group by file_path
),

-- a clash: the same LA, quarter and version, different bytes (identical copies are harmless)
version_groups as (
    select
        file_path,
        file_sha256,
        file_name_la_code,
        file_name_period,
        file_version,
        count(distinct file_sha256) over (
            partition by file_name_la_code, file_name_period, file_version
        ) as distinct_contents,
        max(file_version) over (partition by file_name_la_code, file_name_period) + 1 as next_version
    from files
    where has_valid_file_name
),

clashes as (
    select
        clashing.file_path,
        string_agg(other.file_path, ' and ' order by other.file_path) as same_version_elsewhere,
        any_value(clashing.next_version) as next_version
    from version_groups as clashing
    inner join version_groups as other
        on
            clashing.file_name_la_code = other.file_name_la_code
            and clashing.file_name_period = other.file_name_period
            and clashing.file_version = other.file_version
            and clashing.file_sha256 <> other.file_sha256
    where clashing.distinct_contents > 1
    group by clashing.file_path
),

final as (
    select
        files.file_path,
        files.source_file,
        files.file_status,
        files.file_problem,
        files.file_name_la_code,
        files.file_name_period,
        files.has_valid_file_name,
        files.is_latest_version,
        coalesce(
            {{ la_code_problem('files.file_name_la_code', 'files.file_name_period', 'local_authorities') }},
            -- the per_la layout (RETURN_TEMPLATE.md 1b): an LA's returns only from its own folder
            case
                when files.folder_la_code is not null and files.folder_la_code <> files.file_name_la_code
                    then 'is not the code of the LA whose folder (' || files.folder_la_code
                        || '/) it was sent to: each LA sends its returns into the folder named by its own code'
            end
        ) as la_code_problem,
        coalesce(files.file_name_la_code, first_data_lines.la_code) as report_la_code,
        coalesce(files.file_name_period, first_data_lines.period) as report_period,
        clashes.same_version_elsewhere,
        cast(clashes.next_version as integer) as next_version
    from files
    left join first_data_lines on files.file_path = first_data_lines.file_path
    left join clashes on files.file_path = clashes.file_path
    left join local_authorities on files.file_name_la_code = local_authorities.la_code
)

select * from final
