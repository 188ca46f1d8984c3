-- The first line of each item in each readable return file, with its value as written
-- and as a number where it is one. A duplicated item (rule T06) counts once, by its
-- first line, as in int_indicator_values_computed. What the figure checks read and
-- where a logical or plausibility finding points (the line of the item concerned).
with typed_values as (
    select * from {{ ref('int_return_values_typed') }}
),

lines as (
    select * from {{ ref('stg_la_returns__lines') }}
),

files as (
    select * from {{ ref('int_return_files_versioned') }}
    where file_status = 'readable'
),

first_lines as (
    select
        typed_values.file_path,
        typed_values.item_code,
        min(typed_values.line_number) as line_number
    from typed_values
    inner join files on typed_values.file_path = files.file_path
    where typed_values.item_code is not null and typed_values.item_code <> ''
    group by typed_values.file_path, typed_values.item_code
),

final as (
    select
        first_lines.file_path,
        first_lines.item_code,
        cast(first_lines.line_number as bigint) as line_number,
        lines.value as value_as_written,
        typed_values.value_status,
        case
            when typed_values.value_status = 'number' then cast(typed_values.value_number as double)
        end as number
    from first_lines
    inner join typed_values
        on
            first_lines.file_path = typed_values.file_path
            and first_lines.line_number = typed_values.line_number
    inner join lines
        on
            first_lines.file_path = lines.file_path
            and first_lines.line_number = lines.line_number
)

select * from final
