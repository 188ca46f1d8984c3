-- One row per LA, quarter, item and version for every LA and quarter that sent more
-- than one version: the value in each version beside the value in the version
-- before, so a reviewer sees what a resubmission changed (rule S01). Rebuilt by quarter
-- (period_incremental): a new, changed or withdrawn version changes its quarter's inputs,
-- so the quarterly build recomputes that quarter's revisions, not every year's.
{{ period_incremental(off_calendar=true) }}

with typed_values as (
    select * from {{ ref('int_return_values_typed') }}
    where
        file_name_la_code is not null
        and {{ in_build_scope('file_name_period', off_calendar=true) }}
),

files as (
    select * from {{ ref('int_return_files_versioned') }}
    where {{ in_build_scope('file_name_period', off_calendar=true) }}
),

resubmitted as (
    select
        file_name_la_code,
        file_name_period
    from files
    where has_valid_file_name
    group by file_name_la_code, file_name_period
    having count(*) > 1
),

versions as (
    select
        typed_values.file_name_la_code as la_code,
        typed_values.file_name_period as period,
        typed_values.item_code,
        typed_values.file_version,
        typed_values.is_latest_version,
        typed_values.value_text,
        typed_values.file_path,
        files.file_modified_at
    from typed_values
    inner join resubmitted
        on
            typed_values.file_name_la_code = resubmitted.file_name_la_code
            and typed_values.file_name_period = resubmitted.file_name_period
    inner join files on typed_values.file_path = files.file_path
    qualify row_number() over (
            partition by typed_values.file_path, typed_values.item_code order by typed_values.line_number
        ) = 1
),

compared as (
    select
        *,
        lag(value_text) over (
            partition by la_code, period, item_code order by file_version
        ) as previous_value_text,
        min(file_version) over (partition by la_code, period, item_code) as first_version
    from versions
),

final as (
    select
        la_code,
        period,
        item_code,
        file_version,
        is_latest_version,
        value_text,
        previous_value_text,
        file_version > first_version
        and (previous_value_text is null or value_text <> previous_value_text) as is_changed,
        file_path,
        file_modified_at
    from compared
)

select * from final
