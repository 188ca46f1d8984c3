-- Validation input `item_presence` (rule T07): one row per readable return file and item
-- the return is expected to hold - every riia_core item, and the regional items its LA's
-- region collects, that the register collects in the return's quarter - with the line the
-- item is on (empty when the file has no line for it).
with files as (
    select * from {{ ref('int_validation_files') }}
    where file_status = 'readable'
),

item_lines as (
    select * from {{ ref('int_validation_item_lines') }}
),

items as (
    select * from {{ ref('ref_items') }}
),

local_authorities as (
    select * from {{ ref('ref_local_authorities') }}
),

regions as (
    select * from {{ ref('ref_regions') }}
),

expected as (
    select
        files.file_path,
        items.item_code,
        items.item_name,
        items.item_set,
        case
            when items.item_set = 'riia_core' then 'it is a riia_core item, expected in every return'
            else
                'your region (' || coalesce(regions.region_name, items.collecting_region_code)
                || ') collects it from its local authorities'
        end as expected_because
    from files
    left join local_authorities on files.report_la_code = local_authorities.la_code
    cross join items
    left join regions on items.collecting_region_code = regions.region_code
    where
        (items.item_set = 'riia_core' or items.collecting_region_code = local_authorities.region_code)
        -- the register of the return's own quarter (RETURN_TEMPLATE.md section 1a)
        and (files.report_period is null or files.report_period >= items.first_period)
        and (files.report_period is null or items.last_period is null or files.report_period <= items.last_period)
),

final as (
    select
        expected.file_path,
        expected.item_code,
        expected.item_name,
        expected.item_set,
        expected.expected_because,
        cast(item_lines.line_number as double) as submitted_on_line
    from expected
    left join item_lines
        on
            expected.file_path = item_lines.file_path
            and expected.item_code = item_lines.item_code
)

select * from final
