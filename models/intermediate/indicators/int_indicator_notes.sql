-- One row per return file, indicator and measure that has a note beside the figure: the
-- warning rules found on the items the figure is computed from (numerator and denominator
-- items; T07, L04, P01-P03 - a warning leaves the figure in use, REPORTS.md "warnings ...
-- beside the figure") and the LA's own comments on those items (`ITEM: text`). The one
-- place a figure's notes are gathered: fct_indicator_values shows the warnings, and the
-- shared outputs give both to the audiences that include them (the LA's region only,
-- SHARING.md rule 10). A 12-month measure carries the notes of its latest quarter.
with indicator_items as (
    select distinct
        indicator_code,
        measure,
        item_code
    from {{ ref('int_indicator_items') }}
),

warnings as (
    select distinct
        file_path,
        item_code,
        rule_id
    from {{ ref('int_validation_findings') }}
    where severity = 'warning' and item_code is not null
),

comments as (
    select * from {{ ref('int_return_comments') }}
),

warning_notes as (
    select
        warnings.file_path,
        indicator_items.indicator_code,
        indicator_items.measure,
        string_agg(distinct warnings.rule_id, ', ' order by warnings.rule_id) as warning_rule_ids
    from warnings
    inner join indicator_items on warnings.item_code = indicator_items.item_code
    group by warnings.file_path, indicator_items.indicator_code, indicator_items.measure
),

comment_notes as (
    select
        comments.file_path,
        indicator_items.indicator_code,
        indicator_items.measure,
        string_agg(comments.item_code || ': ' || comments.comment, ' | ' order by comments.line_number) as la_comment
    from comments
    inner join indicator_items on comments.item_code = indicator_items.item_code
    group by comments.file_path, indicator_items.indicator_code, indicator_items.measure
),

final as (
    select
        coalesce(warning_notes.file_path, comment_notes.file_path) as file_path,
        coalesce(warning_notes.indicator_code, comment_notes.indicator_code) as indicator_code,
        coalesce(warning_notes.measure, comment_notes.measure) as measure,
        warning_notes.warning_rule_ids,
        comment_notes.la_comment
    from warning_notes
    full outer join comment_notes
        on
            warning_notes.file_path = comment_notes.file_path
            and warning_notes.indicator_code = comment_notes.indicator_code
            and warning_notes.measure = comment_notes.measure
)

select * from final
