-- One row per LA, quarter and item of every accepted return (the version in use, with no
-- `error` finding; rule S01): the figure as submitted, typed, and the file it came
-- from. The snapshot snp_accepted_return_values keeps the history of these rows.
-- Period-incremental: a quarter's accepted return changes only when its files or their
-- findings do, which puts the quarter in the build scope; the others are kept.
{{ period_incremental() }}

with typed_values as (
    select * from {{ ref('int_return_values_typed') }}
    where {{ in_build_scope('file_name_period') }}
),

return_status as (
    select * from {{ ref('int_return_status') }}
    where is_accepted and {{ in_build_scope('period') }}
),

final as (
    select
        return_status.la_code,
        return_status.period,
        typed_values.item_code,
        typed_values.line_number,
        typed_values.value_text,
        typed_values.value_status,
        typed_values.value_number,
        typed_values.comment,
        return_status.file_path,
        return_status.source_file,
        return_status.file_version
    from typed_values
    inner join return_status on typed_values.file_path = return_status.file_path
)

select * from final
