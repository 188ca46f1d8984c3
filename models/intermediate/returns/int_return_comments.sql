-- One row per return file and item the LA wrote a comment on: the LA's own words
-- explaining an unusual figure (RETURN_TEMPLATE.md section 1). Comments travel with the
-- figure to the LA's own region only (SHARING.md rule 10): int_sharing_outputs_la gives
-- them to recipients whose audience includes comments.
with typed_values as (
    select * from {{ ref('int_return_values_typed') }}
    where comment is not null and item_code is not null and item_code <> ''
),

final as (
    select
        file_path,
        item_code,
        arg_min(comment, line_number) as comment,
        min(line_number) as line_number
    from typed_values
    group by file_path, item_code
)

select * from final
