-- One row per data line of every readable return file (every version), with the
-- text tidied (trimmed; codes upper-cased) and the value classified and typed.
-- Nothing is cast before it is checked: a value that is not a plain non-negative
-- number stays NULL here with value_status 'invalid' (rule T05 reports it).
-- Period-incremental on the quarter the file's name gives (file_name_period): a file's
-- lines change only when its quarter's files do (a new, changed or removed file, or a new
-- version, which changes which is the latest), which puts the quarter in the build scope.
-- The lines of files whose name gives no quarter of the calendar are typed on every build.
{{ period_incremental(period_column='file_name_period', off_calendar=true) }}

with lines as (
    select * from {{ ref('stg_la_returns__lines') }}
    where line_kind = 'data' and {{ in_build_scope('file_name_period', off_calendar=true) }}
),

files as (
    select * from {{ ref('int_return_files_versioned') }}
),

items as (
    select * from {{ ref('ref_items') }}
),

tidied as (
    select
        lines.file_path,
        lines.source_file,
        lines.line_number,
        files.file_name_la_code,
        files.file_name_period,
        files.file_version,
        files.is_latest_version,
        trim(lines.la_code) as la_code,
        upper(regexp_replace(trim(lines.period), '\s+', ' ', 'g')) as period,
        upper(trim(lines.item_code)) as item_code,
        trim(lines.value) as value_text,
        nullif(trim(lines.comment), '') as comment
    from lines
    inner join files on lines.file_path = files.file_path
),

classified as (
    select
        tidied.*,
        items.value_type,
        case
            when tidied.value_text = '' then 'blank'
            when lower(tidied.value_text) = 'x' then 'not_available'
            when items.value_type = 'fte' and regexp_full_match(tidied.value_text, '[0-9]{1,13}(\.[0-9]{1,2})?')
                then 'number'
            when regexp_full_match(tidied.value_text, '[0-9]{1,15}') then 'number'
            else 'invalid'
        end as value_status
    from tidied
    left join items on tidied.item_code = items.item_code
),

final as (
    select
        file_path,
        source_file,
        line_number,
        file_name_la_code,
        file_name_period,
        file_version,
        is_latest_version,
        la_code,
        period,
        item_code,
        value_type,
        value_text,
        value_status,
        case
            when value_status = 'number' then cast(value_text as decimal(18, 2))
        end as value_number,
        comment
    from classified
)

select * from final
