-- One row per accepted return (the version in use) and item: the figure as the LA wrote it,
-- as typed, the LA's comment, and the file and line it came from. Where every figure in
-- the marts starts: `riia explain` shows an indicator's items with their file and line.
{{ period_incremental() }}

with accepted as (
    select * from {{ ref('int_accepted_return_values') }}
    where {{ in_build_scope('period') }}
),

final as (
    select
        la_code,
        period,
        item_code,
        value_text,
        value_status,
        cast(value_number as double) as value_number,
        comment,
        file_path,
        source_file,
        file_version,
        cast(line_number as integer) as line_number
    from accepted
)

select * from final
