-- Validation input `return_lines` (rules T01-T06 on lines): one row per physical line of
-- every readable return file (header, data, blank, malformed), as written, with the
-- tidied and typed text of data lines (int_return_values_typed) and, for an item written
-- on more than one line, every line it is on (rule T06).
with lines as (
    select * from {{ ref('stg_la_returns__lines') }}
),

files as (
    select * from {{ ref('int_return_files_versioned') }}
    where file_status = 'readable'
),

typed_values as (
    select * from {{ ref('int_return_values_typed') }}
),

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

items as (
    select * from {{ ref('ref_items') }}
),

item_lines as (
    select
        file_path,
        item_code,
        list_sort(list(line_number)) as line_numbers
    from typed_values
    where item_code is not null and item_code <> ''
    group by file_path, item_code
),

final as (
    select
        lines.file_path,
        lines.source_file,
        cast(lines.line_number as bigint) as line_number,
        lines.line_kind,
        lines.line_problem,
        lines.raw_line,
        lines.la_code as la_code_as_written,
        lines.period as period_as_written,
        lines.item_code as item_code_as_written,
        lines.value as value_as_written,
        typed_values.la_code,
        typed_values.period,
        typed_values.item_code,
        typed_values.value_type,
        typed_values.value_text,
        typed_values.value_status,
        cast(typed_values.value_number as double) as value_number,
        files.file_name_la_code,
        files.file_name_period,
        files.has_valid_file_name,
        -- rule T02 for a file whose name gives no LA: the line's LA in the line's quarter
        {{ la_code_problem('typed_values.la_code', 'typed_values.period', 'local_authorities') }} as la_code_problem,
        -- rule T04: the item in the register of the return's own quarter
        case
            when typed_values.item_code is null then null
            when items.item_code is null then 'is not in the RIIA item register'
            when coalesce(files.file_name_period, typed_values.period) < items.first_period
                then
                    'is collected only from ' || items.first_period || ', and the return is for '
                    || coalesce(files.file_name_period, typed_values.period)
            when coalesce(files.file_name_period, typed_values.period) > items.last_period
                then
                    'was last collected in ' || items.last_period || ', and the return is for '
                    || coalesce(files.file_name_period, typed_values.period)
        end as item_code_problem,
        -- "12", "12 and 30", "4, 12 and 30"
        case
            when len(item_lines.line_numbers) = 1 then cast(item_lines.line_numbers[1] as varchar)
            else
                array_to_string(item_lines.line_numbers[1:-2], ', ')
                || ' and ' || cast(item_lines.line_numbers[-1] as varchar)
        end as duplicate_lines
    from lines
    inner join files on lines.file_path = files.file_path
    left join typed_values
        on
            lines.file_path = typed_values.file_path
            and lines.line_number = typed_values.line_number
    left join item_lines
        on
            typed_values.file_path = item_lines.file_path
            and typed_values.item_code = item_lines.item_code
    left join local_authorities on typed_values.la_code = local_authorities.la_code
    left join items on typed_values.item_code = items.item_code
)

select * from final
